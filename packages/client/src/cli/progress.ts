/**
 * A progress reporter for long CLI jobs. On a terminal: one line redrawn in place (bar,
 * count, rate, ETA), at most every `redrawMs`. Elsewhere (logs, CI, pipes): a plain line
 * every `lineEveryMs`, so logs stay readable. Writes to stderr-like streams only, keeping
 * stdout for results.
 */

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Expected number of units; unknown totals (undefined) show count and rate only. */
  total?: number;
  /** Word before the numbers, e.g. 'scan'. */
  label?: string;
  /** Unit name for rates, e.g. 'files' → '12.3 files/s'. */
  unit?: string;
  /** Overrides stream.isTTY. */
  tty?: boolean;
  /** Minimum ms between terminal redraws, default 100. */
  redrawMs?: number;
  /** Ms between plain lines when not on a terminal, default 5000. */
  lineEveryMs?: number;
  /** Clock in ms (tests pass a fake). */
  now?: () => number;
}

export interface Progress {
  /** Sets the number of units done (and the total, if it became known). */
  update(done: number, total?: number): void;
  /** Adds units done. */
  tick(n?: number): void;
  /** Final line; the reporter is inert afterwards. */
  finish(message?: string): void;
}

/** "1:05", "1:02:03" */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function formatRate(rate: number): string {
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}

export function createProgress(stream: ProgressStream, options: ProgressOptions = {}): Progress {
  const now = options.now ?? (() => performance.now());
  const tty = options.tty ?? stream.isTTY === true;
  const redrawMs = options.redrawMs ?? 100;
  const lineEveryMs = options.lineEveryMs ?? 5000;
  const unit = options.unit ?? 'items';
  const label = options.label ? `${options.label} ` : '';
  const start = now();
  let total = options.total;
  let done = 0;
  let lastDraw = -Infinity;
  let finished = false;

  const text = (barWidth: number): string => {
    const elapsed = (now() - start) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const rateText = `${formatRate(rate)} ${unit}/s`;
    if (total === undefined || total <= 0) return `${label}${done} ${unit}  ${rateText}  ${formatDuration(elapsed)}`;
    const fraction = Math.min(1, done / total);
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const pct = `${(fraction * 100).toFixed(0).padStart(3)}%`;
    const counts = `${done}/${total}`;
    const bar = barWidth > 0 ? `[${'#'.repeat(Math.round(fraction * barWidth)).padEnd(barWidth, '-')}] ` : '';
    return `${label}${bar}${pct} ${counts}  ${rateText}  ETA ${formatDuration(eta)}`;
  };

  const draw = (force: boolean) => {
    if (finished) return;
    const t = now();
    if (!force && t - lastDraw < (tty ? redrawMs : lineEveryMs)) return;
    lastDraw = t;
    if (tty) {
      const width = Math.max(40, stream.columns ?? 80);
      const line = text(Math.max(0, Math.min(30, width - 60)));
      // \r then clear-to-end-of-line: a shorter line leaves no remains of the longer one.
      stream.write(`\r${line.slice(0, width - 1)}\x1b[K`);
    } else {
      stream.write(`${text(0)}\n`);
    }
  };

  return {
    update(value, newTotal) {
      done = value;
      if (newTotal !== undefined) total = newTotal;
      draw(false);
    },
    tick(n = 1) {
      done += n;
      draw(false);
    },
    finish(message) {
      if (finished) return;
      draw(true);
      finished = true;
      if (tty) stream.write('\n');
      if (message) stream.write(`${message}\n`);
    },
  };
}
