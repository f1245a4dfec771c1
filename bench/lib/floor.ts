// Starts the floor server (floorServer.js) as a child and waits for its port.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCheckedKeyPair } from '../../src/services/keygen.js';
import { ALGORITHMS } from '../../src/ssh/server.js';
import { stop } from './proc.js';
import type { BenchContext } from './types.js';

export interface FloorServer {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startFloor(ctx: BenchContext, authorizedPublicLine: string): Promise<FloorServer> {
  const dir = path.join(ctx.tmpDir, 'floor');
  fs.mkdirSync(dir, { recursive: true });
  const hostKey = path.join(dir, 'host_ed25519');
  fs.writeFileSync(hostKey, generateCheckedKeyPair('ed25519').private, { mode: 0o600 });
  const authorized = path.join(dir, 'authorized.pub');
  fs.writeFileSync(authorized, authorizedPublicLine + '\n');
  const script = fileURLToPath(new URL('./floorServer.js', import.meta.url));
  const child = spawn(process.execPath, [script, hostKey, authorized, JSON.stringify(ALGORITHMS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stopIt = (): Promise<void> => stop(child);
  ctx.onCleanup(stopIt);
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      const m = /listening (\d+)/.exec(buf);
      if (m?.[1]) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`floor server exited (${code})`)));
  });
  if (child.pid === undefined) throw new Error('floor server did not start');
  return { port, pid: child.pid, stop: stopIt };
}
