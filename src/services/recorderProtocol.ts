// Messages between the sessions and the recorder thread.
export type ToRecorder =
  | { readonly op: 'open'; readonly id: number; readonly file: string; readonly header: object }
  | {
      readonly op: 'data';
      readonly id: number;
      readonly code: 'o' | 'e';
      /** Milliseconds since the recording started, when the first of these bytes went by. */
      readonly atMs: number;
      /** The bytes, `bytes` long from its start; transferred, and given back with the ack. */
      readonly buf: ArrayBuffer;
      /** How many bytes: also what this message counts against the session's in-flight budget. */
      readonly bytes: number;
    }
  | { readonly op: 'resize'; readonly id: number; readonly atMs: number; readonly cols: number; readonly rows: number }
  | { readonly op: 'close'; readonly id: number };

export type FromRecorder =
  | { readonly op: 'ready'; readonly id: number; readonly error: string | null }
  | { readonly op: 'ack'; readonly id: number; readonly bytes: number; readonly buf?: ArrayBuffer }
  | { readonly op: 'closed'; readonly id: number };
