export function listening(child) {
    let out = '';
    const port = new Promise((resolve, reject) => {
        const on = (d) => {
            out += d;
            const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
            if (m)
                resolve(Number(m[1]));
        };
        child.stdout?.on('data', on);
        child.stderr?.on('data', on);
        child.on('exit', (c) => reject(new Error(`agent exited ${c}: ${out}`)));
    });
    return { port, output: () => out };
}
