// `blotter append FILE|-`: NDJSON events into the journal through COPY, in one
// transaction. Lines are validated as they stream in; a bad line aborts the whole file
// (nothing written) unless skipInvalid, in which case bad lines are listed and skipped.
// The caller gives the rules (`parse`): the CLI passes the vocabulary-aware parser, so a
// line is refused here exactly when the API would refuse it.
import fs from 'node:fs';
import readline from 'node:readline';
import { BlotterError } from "../errors.js";
import { appendedInTransaction, openCopy } from "./copy.js";
import { EventValidationError } from "./event.js";
const DEFAULT_MAX_ERRORS = 100;
const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
export function openInput(file) {
    if (file === '-')
        return process.stdin;
    if (!fs.existsSync(file))
        throw new BlotterError('INPUT_MISSING', `${file}: no such file`);
    return fs.createReadStream(file, { encoding: 'utf8' });
}
// Thrown inside the transaction to roll it back; carries the result to report.
class Refused extends Error {
    result;
    constructor(result) {
        super('refused');
        this.result = result;
    }
}
export async function appendNdjson(sql, input, opts) {
    const maxErrors = opts.maxErrors ?? DEFAULT_MAX_ERRORS;
    const maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    const invalid = [];
    let lineNo = 0;
    let events = 0;
    let errorCount = 0;
    try {
        return await sql.begin(async (tx) => {
            const sink = await openCopy(tx);
            try {
                const rl = readline.createInterface({ input, crlfDelay: Infinity });
                for await (const line of rl) {
                    lineNo++;
                    if (line.trim() === '')
                        continue;
                    try {
                        if (Buffer.byteLength(line) > maxLineBytes)
                            throw new EventValidationError('(line)', `is longer than ${maxLineBytes} bytes`);
                        const ev = opts.parse(line);
                        events++;
                        // Once the file is known to be refused, only keep validating to list errors.
                        if (errorCount === 0 || opts.skipInvalid)
                            await sink.write(ev);
                    }
                    catch (err) {
                        if (!(err instanceof EventValidationError))
                            throw err;
                        errorCount++;
                        if (invalid.length < maxErrors)
                            invalid.push({ line: lineNo, field: err.field, reason: err.reason, problems: err.problems });
                    }
                }
                if (errorCount > 0 && !opts.skipInvalid) {
                    throw new Refused({ lines: lineNo, appended: 0, duplicates: 0, invalid, invalidCount: errorCount, written: false });
                }
            }
            catch (err) {
                // The COPY must be abandoned before the transaction can roll back.
                await sink.abort(err instanceof Refused ? `${errorCount} invalid lines` : String(err));
                throw err;
            }
            await sink.end();
            const appended = await appendedInTransaction(tx);
            return { lines: lineNo, appended, duplicates: events - appended, invalid, invalidCount: errorCount, written: true };
        });
    }
    catch (err) {
        if (err instanceof Refused)
            return err.result;
        throw err;
    }
}
