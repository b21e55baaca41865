// RFC 4180 for the report tests: quoted fields, doubled quotes, CRLF between records (a
// line break inside a quoted field is data).
export function parseCsv(text) {
    const rows = [];
    let row = [], f = '', q = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (q) {
            if (c === '"' && text[i + 1] === '"') {
                f += '"';
                i++;
            }
            else if (c === '"')
                q = false;
            else
                f += c;
        }
        else if (c === '"')
            q = true;
        else if (c === ',') {
            row.push(f);
            f = '';
        }
        else if (c === '\r' && text[i + 1] === '\n') {
            row.push(f);
            rows.push(row);
            row = [];
            f = '';
            i++;
        }
        else
            f += c;
    }
    if (f !== '' || row.length) {
        row.push(f);
        rows.push(row);
    }
    return rows;
}
