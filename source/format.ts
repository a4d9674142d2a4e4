import stringWidth from 'string-width';
const units = ['B', 'KB', 'MB', 'GB', 'TB'];

/** Bytes in decimal units with three significant digits: 999 B, 1.23 MB, 45.6 MB. */
export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes)) {
		return '—';
	}

	const sign = bytes < 0 ? '-' : '';
	let value = Math.abs(bytes);
	let unit = 0;
	while (value >= 999.5 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}

	const digits = unit === 0 || value >= 99.95 ? 0 : value >= 9.995 ? 1 : 2;
	return `${sign}${value.toFixed(digits)} ${units[unit]}`;
}

/** A growth rate per minute, signed: +1.20 MB/m. */
export function formatRate(bytesPerMinute: number): string {
	if (Math.abs(bytesPerMinute) < 1) {
		return '0';
	}

	return `${bytesPerMinute > 0 ? '+' : ''}${formatBytes(bytesPerMinute)}/m`;
}

export function formatDuration(ms: number): string {
	const seconds = Math.max(0, Math.floor(ms / 1000));
	const hours = Math.floor(seconds / 3600);
	const minutes = Math.floor((seconds % 3600) / 60);
	const rest = seconds % 60;
	const pad = (value: number) => String(value).padStart(2, '0');
	return hours > 0 ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${pad(minutes)}:${pad(rest)}`;
}

export function formatPercent(share: number): string {
	if (!Number.isFinite(share)) {
		return '—';
	}

	const percent = share * 100;
	return `${percent >= 9.95 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)}%`;
}

const graphemes = new Intl.Segmenter();

/**
 * Cuts text to `width` terminal columns, keeping the end (file names end paths) when `keep` is 'end'. Counts
 * columns, not UTF-16 code units: a CJK character takes two, a combining accent none, and neither is split.
 */
const widths = new Map<string, number>();

/**
 * A text's width in terminal columns, remembered: every frame measures the same names, figures and sparklines
 * again, and string-width segments each grapheme of any text that is not plain ASCII (npm run bench).
 */
export function textWidth(text: string): number {
	let width = widths.get(text);
	if (width === undefined) {
		width = stringWidth(text);
		// A bound, not an eviction policy: a screen's worth of texts comes back within a frame.
		if (widths.size >= 20_000) {
			widths.clear();
		}

		widths.set(text, width);
	}

	return width;
}

export function fit(text: string, width: number, keep: 'start' | 'end' = 'start'): string {
	if (width <= 0) {
		return '';
	}

	if (textWidth(text) <= width) {
		return text;
	}

	const parts = Array.from(graphemes.segment(text), part => part.segment);
	if (keep === 'end') {
		parts.reverse();
	}

	let used = 1;
	const kept: string[] = [];
	for (const part of parts) {
		const columns = textWidth(part);
		if (used + columns > width) {
			break;
		}

		used += columns;
		kept.push(part);
	}

	return keep === 'end' ? `…${kept.reverse().join('')}` : `${kept.join('')}…`;
}

/** Pads text to `width` terminal columns, on the right (`left` aligned) or on the left. */
export function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
	const space = ' '.repeat(Math.max(0, width - textWidth(text)));
	return align === 'left' ? text + space : space + text;
}

/**
 * Parts of a line in their order, each with its rank and optionally a short form: what fits `width` when joined by
 * `separator`. The lowest ranks (highest numbers) give way first: a part with a short form takes it, the others are
 * left out whole, never a part cut in the middle of its words.
 */
export function fitWhole(parts: ReadonlyArray<readonly [string, number, string?]>, width: number, separator: string): string {
	let shown = parts.filter(([text]) => text !== '');
	const ranks = [...new Set(shown.map(([, rank]) => rank))].sort((a, b) => b - a);
	const fits = () => textWidth(shown.map(([text]) => text).join(separator)) <= width;
	for (const rank of ranks) {
		if (fits()) {
			break;
		}

		shown = shown.map(([text, partRank, short]) => (partRank === rank && short !== undefined ? [short, partRank] as const : [text, partRank, short] as const));
		if (!fits()) {
			shown = shown.filter(([, partRank]) => partRank < rank);
		}
	}

	return shown.map(([text]) => text).join(separator);
}

const blocks = '▁▂▃▄▅▆▇█';

/** The block for `value` on a scale from 0 to `max`: what sparklines and the age histogram are drawn with. */
export function block(value: number, max: number): string {
	return blocks[Math.min(blocks.length - 1, Math.max(0, Math.round((value / max) * (blocks.length - 1))))]!;
}

/** A sparkline scaled from 0 to the series' maximum, so a flat series stays flat and growth shows as a rise. */
export function sparkline(values: readonly number[]): string {
	const max = Math.max(0, ...values);
	if (max <= 0) {
		return blocks[0]!.repeat(values.length);
	}

	return values.map(value => block(value, max)).join('');
}

/** A time stamp that fits a file name. */
export function fileStamp(): string {
	return new Date().toISOString().replaceAll(/[:.]/g, '-');
}
