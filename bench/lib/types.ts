// The contract between the bench runner and its sections (see bench/README.md). A section is a
// module under bench/sections/ whose default export is a BenchSection; sections run in file-name
// order and each returns rows. The runner prints them, with the ratio of a row to its baseline
// row (measured in the same run) and a verdict against the row's target.

export interface Target {
  /** The figure must be at most this (latency, memory)… */
  readonly atMost?: number;
  /** …or at least this (throughput). */
  readonly atLeast?: number;
  /** What the bound applies to: the row's value (default) or its ratio to the baseline. */
  readonly on?: 'value' | 'ratio';
}

export interface BenchRow {
  /** What was measured; unique within the section, since baselines refer to rows by name. */
  readonly name: string;
  /** The figure, or null when it could not be measured (say why in `note`). */
  readonly value: number | null;
  /** 'ms', 'calls/s', 'MiB', … */
  readonly unit: string;
  /** Name of another row of the same section; the runner prints value ÷ that row's value. */
  readonly baseline?: string;
  readonly target?: Target;
  /** A short remark printed in the last column (sample size, why something is missing…). */
  readonly note?: string;
}

export interface BenchContext {
  /** A directory for this run, removed at the end. */
  readonly tmpDir: string;
  /** The repository root (where package.json is). */
  readonly repoRoot: string;
  /** Progress lines on stderr (the table goes to stdout). */
  log(msg: string): void;
  /** Registers a clean-up (stop a child process…); run after the section, and on SIGINT/SIGTERM. */
  onCleanup(fn: () => void | Promise<void>): void;
}

export interface BenchSection {
  /** Short name, shown in the table and used to select sections: `npm run bench -- core`. */
  readonly name: string;
  /** One line: what the section measures. */
  readonly description: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}
