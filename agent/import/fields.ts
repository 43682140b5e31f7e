/**
 * Splitting a log's lines into fields: CSV/TSV/semicolon text through `csv-parse` (RFC 4180 quotes,
 * delimiters inside quotes, doubled quotes, a byte-order mark), whitespace-separated text by runs of
 * blanks; the delimiter detected from several lines, counting only delimiters outside quotes; and
 * numbers with a decimal point or, for `--decimal-comma` files, a decimal comma. Pure (csv-parse's
 * synchronous API: no I/O).
 */
import { parse } from 'csv-parse/sync';

export type Delimiter = 'comma' | 'tab' | 'semicolon' | 'whitespace';
export const DELIMITERS: readonly Delimiter[] = ['comma', 'tab', 'semicolon', 'whitespace'];

const CHAR_OF: Record<Exclude<Delimiter, 'whitespace'>, string> = { comma: ',', tab: '\t', semicolon: ';' };

/** Lines looked at to detect the delimiter. */
export const DELIMITER_SAMPLE_LINES = 20;
/** A delimiter is consistent when at least this share of the sampled lines holds the same count of it. */
export const DELIMITER_CONSISTENT_SHARE = 0.9;

/** Occurrences of `ch` in `line` outside double-quoted stretches. */
function countOutsideQuotes(line: string, ch: string): number {
  let n = 0;
  let isQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') isQuoted = !isQuoted;
    else if (c === ch && !isQuoted) n++;
  }
  return n;
}

/**
 * The delimiter of a file from its first non-blank lines (up to `DELIMITER_SAMPLE_LINES`): for tab,
 * semicolon and comma, the count outside quotes on each line; the candidate whose most frequent
 * count (≥ 1) holds on the largest share of lines wins (ties: more fields, then tab, semicolon,
 * comma, so `12,5;40,1` rows are semicolon-separated). A quoted header such as `"Temp, living room"`
 * adds no comma. With no candidate on ≥ `DELIMITER_CONSISTENT_SHARE` of the lines, the one on the
 * most lines wins; with none at all, whitespace.
 * @returns the delimiter and a few words on how it was found, for the import's assumptions.
 */
export function detectDelimiter(lines: readonly string[]): { delimiter: Delimiter; evidence: string } {
  const sample = lines.filter((l) => l.trim() !== '').slice(0, DELIMITER_SAMPLE_LINES);
  let best: { delimiter: Delimiter; share: number; count: number } | undefined;
  for (const delimiter of ['tab', 'semicolon', 'comma'] as const) {
    const counts = sample.map((l) => countOutsideQuotes(l, CHAR_OF[delimiter]));
    const freq = new Map<number, number>();
    for (const c of counts) if (c > 0) freq.set(c, (freq.get(c) ?? 0) + 1);
    let count = 0;
    let lines = 0;
    for (const [c, n] of freq) if (n > lines || (n === lines && c > count)) [count, lines] = [c, n];
    if (lines === 0) continue;
    const share = lines / sample.length;
    if (!best || share > best.share || (share === best.share && count > best.count)) best = { delimiter, share, count };
  }
  if (!best) return { delimiter: 'whitespace', evidence: 'no tab, semicolon or comma outside quotes' };
  const consistent = best.share >= DELIMITER_CONSISTENT_SHARE ? '' : ', inconsistent';
  return { delimiter: best.delimiter, evidence: `${best.count + 1} fields on ${Math.round(best.share * sample.length)} of ${sample.length} lines${consistent}` };
}

/** A line that could not be split: where, and why (`unclosed quote`). */
export interface BadLine {
  lineNo: number;
  reason: string;
}

const trimField = (f: string) => (f.length > 0 && (f.charCodeAt(0) <= 32 || f.charCodeAt(f.length - 1) <= 32) ? f.trim() : f);

/**
 * Split consecutive lines (`lines[0]` is line `firstLineNo`, 1-based; line ends removed) into fields
 * and call `onRecord(fields, lineNo)` for each non-blank line, in order. Fields are trimmed of blanks;
 * quotes are removed from quoted fields. Lines holding a double quote go through csv-parse with `relax_quotes` (a
 * quote inside an unquoted field is kept as text) and `relax_column_count` (the caller judges the
 * field count). A record that would run over several lines (a quote that is never closed on its own
 * line) is not glued: its first line goes to `onBad` and the lines after it are read again, so one
 * stray quote costs one line. A byte-order mark at the start of line 1 is dropped.
 */
export function splitLines(
  lines: readonly string[], delimiter: Delimiter, firstLineNo: number,
  onRecord: (fields: string[], lineNo: number) => void, onBad: (bad: BadLine) => void,
): void {
  if (firstLineNo === 1 && lines.length > 0 && lines[0].charCodeAt(0) === 0xfeff) lines = [lines[0].slice(1), ...lines.slice(1)];
  if (delimiter === 'whitespace') {
    lines.forEach((l, i) => {
      if (l.trim() !== '') onRecord(l.trim().split(/\s+/), firstLineNo + i);
    });
    return;
  }
  const ch = CHAR_OF[delimiter];
  let i = 0;
  while (i < lines.length) {
    // Lines without a quote split exactly as csv-parse would split them (no quote, nothing to
    // unescape), at several times its speed; runs of lines with quotes go through csv-parse.
    const start = i;
    const isQuoted = lines[i].includes('"');
    while (i < lines.length && lines[i].includes('"') === isQuoted) i++;
    if (isQuoted) splitQuoted(lines.slice(start, i), ch, firstLineNo + start, onRecord, onBad);
    else {
      for (let j = start; j < i; j++) {
        const l = lines[j];
        if (l.length === 0 || (l.trim() === '')) continue;
        const fields = l.split(ch);
        for (let k = 0; k < fields.length; k++) fields[k] = trimField(fields[k]);
        onRecord(fields, firstLineNo + j);
      }
    }
  }
}

/** csv-parse over `lines`, resuming after each line whose quote is never closed on that line. */
function splitQuoted(
  lines: readonly string[], ch: string, firstLineNo: number,
  onRecord: (fields: string[], lineNo: number) => void, onBad: (bad: BadLine) => void,
): void {
  let from = 0;
  while (from < lines.length) {
    const resumeAt = splitText(lines, from, ch, firstLineNo, onRecord, onBad);
    if (resumeAt === undefined) return;
    from = resumeAt;
  }
}

/** Fault detail of a line whose quote is not closed on it. */
export const UNCLOSED_QUOTE = 'unclosed quote: a quoted field runs past the end of the line';

/** The first non-blank line index at or after `i` (or `lines.length`). */
function nonBlankFrom(lines: readonly string[], i: number): number {
  while (i < lines.length && lines[i].trim() === '') i++;
  return i;
}

/**
 * Parse `lines[from..]` with csv-parse. @returns undefined when done, or the index to resume at after
 * reporting a line whose quote opened a field that runs over the line end.
 */
function splitText(
  lines: readonly string[], from: number, ch: string, firstLineNo: number,
  onRecord: (fields: string[], lineNo: number) => void, onBad: (bad: BadLine) => void,
): number | undefined {
  let prevLine = 0; // csv-parse's 1-based line count (within this text) at the end of the previous record
  let resumeAt: number | undefined;
  const badAt = (endLine: number, reason: string) => {
    const start = nonBlankFrom(lines, from + prevLine);
    onBad({ lineNo: firstLineNo + start, reason });
    resumeAt = start + 1;
    return endLine;
  };
  try {
    parse(lines.slice(from).join('\n'), {
      delimiter: ch, bom: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true,
      on_skip: (err) => {
        if (resumeAt === undefined) badAt(0, err?.code === 'CSV_QUOTE_NOT_CLOSED' ? UNCLOSED_QUOTE : (err?.message ?? 'unreadable line'));
      },
      on_record: (record: string[], context) => {
        if (resumeAt !== undefined) return null;
        const endLine = context.lines;
        // A record's own line holds no newline inside quotes: the record ends on its first non-blank line.
        const start = nonBlankFrom(lines, from + prevLine);
        if (from + endLine - 1 > start) {
          badAt(endLine, UNCLOSED_QUOTE);
          return null;
        }
        prevLine = endLine;
        onRecord(record.map(trimField), firstLineNo + from + endLine - 1);
        return null;
      },
    });
  } catch (err) {
    if (resumeAt === undefined) badAt(0, (err as Error).message);
  }
  return resumeAt;
}

/** Split one line (no line number, no fault report): the fields, or undefined when it cannot be split. */
export function splitLine(line: string, delimiter: Delimiter): string[] | undefined {
  let fields: string[] | undefined;
  splitLines([line], delimiter, 1, (f) => { fields = f; }, () => undefined);
  return fields;
}

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const COMMA_NUMBER_RE = /^[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?$/;

/**
 * A decimal number (no hex, no `Infinity`, no thousands separator), or undefined. With
 * `isDecimalComma` the decimal separator is a comma (`14,38` → 14.38) and a point is not accepted.
 */
export function parseNumber(text: string, isDecimalComma = false): number | undefined {
  if (!isDecimalComma) return NUMBER_RE.test(text) ? Number(text) : undefined;
  return COMMA_NUMBER_RE.test(text) ? Number(text.replace(',', '.')) : undefined;
}

/** A number written with a decimal comma (`14,38`, `-0,5`): evidence for decimal-comma detection. */
export const looksDecimalComma = (text: string): boolean => /^[+-]?\d+,\d+$/.test(text);
/** A number written with a decimal point (`14.38`). */
export const looksDecimalPoint = (text: string): boolean => /^[+-]?\d*\.\d+$/.test(text);
