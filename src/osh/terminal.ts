// The text side of every answer: header, prefixed body lines, footer, colours and line endings,
// as The Bastion prints them (osh_header, osh_footer, _osh_log in lib/perl/OVH/Bastion.pm).
import type { Envelope } from './envelope.js';
import { frameEnvelope } from './envelope.js';
import type { JsonMode } from './bastionOptions.js';

export interface Sink {
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * Resolves once the client has taken what was written so far (or has gone). Long outputs wait
   * on it, so a client that reads slowly holds them back instead of filling the server's memory.
   */
  drain?(): Promise<void>;
  /**
   * Set for a sub-call (a batch line): takes the call's envelope, which then goes back to the
   * call that made it as a value and is never framed as text for the client.
   */
  answer?(env: Envelope): void;
}

export interface TerminalStyle {
  /** The client asked for a pty: CRLF line endings, stderr merged into stdout. */
  readonly pty: boolean;
  readonly quiet: boolean;
  readonly json: JsonMode;
  /** UTF-8 box drawing (pty, a UTF-8 LANG, fanciness basic or full). */
  readonly boxes: boolean;
  /** fanciness full: UTF-8 prefixes on body lines too. */
  readonly fancyPrefixes: boolean;
  readonly hostname: string;
  readonly version: string;
}

const ANSI: Record<string, string> = {
  bold: '1',
  red: '31',
  green: '32',
  yellow: '33',
  blue: '34',
  magenta: '35',
  cyan: '36',
  black: '30',
};

// colour() marks its escape sequences with a lone UTF-16 high surrogate in place of ESC: text from
// outside (the store, the exec string, stdin, all decoded from UTF-8) never holds one, so the
// output stage can neutralise every ESC it finds in the text and still turn our marks, and only
// the SGR sequences colour() makes, into real colours.
const COLOUR_MARK = '\udbff';
const OUR_SGR = /\udbff\[((?:0|1|3[0-6])(?:;(?:1|3[0-6]))?)m/g;
// C0 controls but tab and LF, DEL and the C1 controls: shown as \xHH, never sent raw.
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// A human text line that a script reading the output could take for a frame marker.
const MARKER_LINE = /^([ \t]*)JSON_(START|END|OUTPUT)/gm;

/**
 * Text for people made harmless for a terminal and for a script reading the frames: CRLF becomes
 * LF, every other control character (ESC, a lone CR, BEL, DEL, C1 …) is written as \xHH, a line
 * that starts like a frame marker gets JSON__ (as the envelope does inside its payload), and only
 * then do colour()'s marks become real SGR sequences.
 */
function neutralise(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(CONTROLS, (c) => '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'))
    .replace(MARKER_LINE, '$1JSON__$2')
    .replace(OUR_SGR, '\x1b[$1m');
}

export type Colour = 'bold blue' | 'blue' | 'red bold' | 'yellow' | 'green' | 'magenta' | 'cyan' | 'red' | 'bold' | 'bold black';

export class Terminal {
  readonly colours: boolean;
  /** Whether the call's answer (its envelope, printed or not in text mode) was given: there is one per call. */
  answered = false;

  constructor(
    private readonly sink: Sink,
    readonly style: TerminalStyle,
  ) {
    this.colours = style.pty && !style.quiet && style.json === 'none';
  }

  colour(text: string, colour: Colour): string {
    if (!this.colours) return text;
    const codes = colour
      .split(' ')
      .map((c) => ANSI[c])
      .filter(Boolean)
      .join(';');
    // Same length as the real sequence, so callers that pad coloured text still line up.
    return `${COLOUR_MARK}[${codes}m${text}${COLOUR_MARK}[0m`;
  }

  /** Text to stdout (no prefix, neutralised: see neutralise()); a newline is not added. */
  write(text: string): void {
    this.sink.stdout(this.eol(neutralise(text)));
  }

  writeErr(text: string): void {
    if (this.style.pty) this.sink.stdout(this.eol(neutralise(text)));
    else this.sink.stderr(neutralise(text));
  }

  /** What stdin's line editing echoes to a pty: it only passes text it accepted, '\r\n' and '\b \b'. */
  echo(text: string): void {
    this.sink.stdout(text);
  }

  /** Resolves once the client has taken the output so far, or has gone (see Sink.drain). */
  drain(): Promise<void> {
    return this.sink.drain?.() ?? Promise.resolve();
  }

  /**
   * Bytes exactly as given, no line-ending rewrite: a recorded screen replayed (selfPlaySession)
   * already holds the target's own \r\n and cursor moves. `stderr` is merged into stdout with a pty.
   */
  writeRaw(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    if (stream === 'stderr' && !this.style.pty) this.sink.stderr(text);
    else this.sink.stdout(text);
  }

  header(title: string): void {
    if (this.style.quiet) return;
    const { hostname, version } = this.style;
    const versionLine = `gatehouse-${version}`;
    const fill = Math.max(0, 80 - hostname.length - versionLine.length - 6);
    if (this.style.boxes) {
      this.write(this.colour(`\u256d\u2500\u2500${hostname}${'\u2500'.repeat(fill)}${versionLine}${'\u2500'.repeat(3)}`, 'bold blue') + '\n');
      this.write(this.colour(`\u2502 \u25b6 ${title}`, 'blue') + '\n');
      this.write(this.colour(`\u251c${'\u2500'.repeat(79)}`, 'blue') + '\n');
    } else {
      this.write(this.colour(`---${hostname}${'-'.repeat(fill)}${versionLine}---`, 'bold blue') + '\n');
      this.write(this.colour(`=> ${title}`, 'blue') + '\n');
      this.write(this.colour('-'.repeat(80), 'blue') + '\n');
    }
  }

  footer(name: string): void {
    if (this.style.quiet) return;
    if (this.style.boxes) {
      this.write(this.colour(`\u2570${'\u2500'.repeat(Math.max(0, 79 - name.length - 6))}</${name}>${'\u2500'.repeat(3)}`, 'bold blue') + '\n');
    } else {
      this.write(this.colour(`${'-'.repeat(Math.max(0, 80 - name.length - 6))}</${name}>---`, 'bold blue') + '\n');
    }
  }

  info(text: string): void {
    this.log(text, 'info', false);
  }

  warn(text: string): void {
    this.log(text, 'warn', false);
  }

  /** An error line; `toStderr` for refusals that happen before any plugin runs. */
  crit(text: string, toStderr = false): void {
    this.log('\n' + text, 'crit', toStderr);
  }

  envelope(env: Envelope): void {
    this.answered = true;
    if (this.sink.answer) {
      this.sink.answer(env);
      return;
    }
    if (this.style.json === 'none') return;
    // The frame is built without colour and with \n; a pty still gets \r\n like every other line.
    // It is ASCII JSON with its markers defused already: not neutralised, or its own marker
    // lines would be.
    this.sink.stdout(this.eol(frameEnvelope(env, this.style.json)));
  }

  private log(text: string, type: 'info' | 'warn' | 'crit', toStderr: boolean): void {
    const out = (s: string): void => (toStderr ? this.writeErr(s) : this.write(s));
    // Perl's split /^/ (which _osh_log uses) makes no empty last line of a text ending with \n.
    const lines = text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    if (this.style.quiet) {
      out(text + '\n');
      return;
    }
    const prefix = this.style.fancyPrefixes ? '\u2502' : '~';
    const mark = type === 'crit' ? (this.style.fancyPrefixes ? '\u26d4' : '[!]') : type === 'warn' ? (this.style.fancyPrefixes ? '\u2757' : '[#]') : '';
    const colour: Colour = type === 'crit' ? 'red bold' : type === 'warn' ? 'yellow' : 'blue';
    // One write for the whole text: a listing of thousands of lines is one channel write (a few
    // SSH packets), not one packet per line.
    let body = '';
    for (const line of lines) {
      const p = line.length > 0 && mark ? `${prefix} ${mark}` : prefix;
      body += type === 'info' ? `${this.colour(p + ' ', colour)}${line}\n` : `${this.colour(`${p} ${line}`, colour)}\n`;
    }
    out(body);
  }

  private eol(text: string): string {
    return this.style.pty ? text.replace(/\n/g, '\r\n') : text;
  }
}
