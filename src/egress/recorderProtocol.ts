// Messages between the sessions and the recorder thread.
export type ToRecorder =
  | { readonly op: 'open'; readonly id: number; readonly file: string; readonly header: object }
  | {
      readonly op: 'data';
      readonly id: number;
      readonly code: 'o' | 'e' | 'r';
      /** Milliseconds since the recording started, measured when the bytes went by. */
      readonly atMs: number;
      readonly buf?: Uint8Array;
      readonly cols?: number;
      readonly rows?: number;
      /** What this message counts against the session's in-flight budget. */
      readonly bytes: number;
    }
  | { readonly op: 'close'; readonly id: number };

export type FromRecorder =
  | { readonly op: 'ready'; readonly id: number; readonly error: string | null }
  | { readonly op: 'ack'; readonly id: number; readonly bytes: number }
  | { readonly op: 'closed'; readonly id: number };
