// A small RFC 4180 reader and writer for the export and import tests,
// written from the RFC and independent of fcgi/csv.c, so a bug there is
// not mirrored here.

/** Records of "text": arrays of field strings. */
export function parseCsv(text) {
	const rows = [];
	let row = [], field = '', i = 0, quoted = false;
	while (i < text.length) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i += 2;
			} else if (c === '"') {
				quoted = false;
				i++;
			} else
				field += text[i++];
		} else if (c === '"') {
			quoted = true;
			i++;
		} else if (c === ',') {
			row.push(field);
			field = '';
			i++;
		} else if (c === '\r' || c === '\n') {
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
			i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
		} else
			field += text[i++];
	}
	if (field !== '' || row.length)
		rows.push([...row, field]);
	return rows;
}

/** Records of a CSV with a header, as objects by column name. */
export function csvObjects(text) {
	const [head, ...rows] = parseCsv(text);
	return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

/** One CSV field, quoted when it must be. */
export const csvField = (s) => /[",\r\n]/.test(s) ?
    `"${s.replace(/"/g, '""')}"` : s;

/** A CSV file from rows of fields (the first is the header). */
export const toCsv = (rows) =>
    rows.map((r) => r.map((f) => csvField(String(f ?? ''))).join(',') +
    '\r\n').join('');
