/**
 * The little CSV the enrichment files need (RFC 4180 on one line): fields
 * separated by commas, a field in double quotes may hold commas, and `""`
 * inside quotes is one quote. Returns `undefined` for a line whose quotes do
 * not balance, so the caller can name the line.
 */
export function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const close = line.indexOf('"', j);
        if (close < 0) return undefined;
        value += line.slice(j, close);
        if (line[close + 1] === '"') {
          value += '"';
          j = close + 2;
          continue;
        }
        i = close + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ',') return undefined;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return undefined;
      fields.push(value);
      if (comma < 0) return fields;
      i = comma + 1;
    }
  }
}

/** The value of one CSV field that may be quoted (the last field of an ASN row). */
export function unquoteCsvField(field: string): string | undefined {
  if (!field.startsWith('"')) return field.includes('"') ? undefined : field;
  const fields = splitCsvLine(field);
  return fields?.length === 1 ? fields[0] : undefined;
}
