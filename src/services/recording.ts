// What the recorder writes and what a session records into. A recording is an asciicast v2 file
// (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then one
// [seconds, code, data] line per event. Codes we write: "o" output (a pty session's screen, or a
// non-pty session's stdout), "r" resize ("COLSxROWS"), and "e" for a non-pty session's stderr: the
// format leaves the event list open and players skip codes they don't know, so stock
// `asciinema play` shows stdout while selfPlaySession replays both streams where they belong.
// Reading recordings back is egress's (egress/asciicast.ts, egress/replay.ts).

export interface CastHeader {
  readonly version: 2;
  readonly width: number;
  readonly height: number;
  /** Seconds since the epoch when the recording started. */
  readonly timestamp: number;
  readonly title?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** One recording as the session side sees it (recorder.ts writes it on the recorder thread). */
export interface Recording {
  /** Output of the session (stdout, or everything with a pty). Returns false when the file lags. */
  output(chunk: Buffer): boolean;
  /** stderr of a session without a pty. */
  errorOutput(chunk: Buffer): boolean;
  resize(cols: number, rows: number): boolean;
  /** Called once when the recording can take more after output() returned false. */
  onDrain(fn: () => void): void;
  /** Resolves once the file is open (null) or could not be created (the error). */
  ready(): Promise<Error | null>;
  close(): Promise<void>;
}
