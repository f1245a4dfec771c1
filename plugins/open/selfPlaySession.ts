import fs from 'node:fs';
import path from 'node:path';
import { CastFormatError } from '../../src/egress/asciicast.js';
import { replayCast } from '../../src/egress/replay.js';
import { machineDisplay } from '../../src/egress/resolve.js';
import { sessionType, stamp } from '../../src/egress/sessionView.js';
import { humanDuration } from '../../src/policy/accountState.js';
import { viewedAccountId } from '../../src/accounts/lookup.js';
import { definePlugin } from '../../src/osh/define.js';
import { isOk, R } from '../../src/kernel/result.js';

export default definePlugin({
  name: 'selfPlaySession',
  category: 'open',
  summary: 'Replay a past session of your account, with its original timing',
  header: 'replay a past session',
  options: {
    id: { type: 'string', required: true, valueName: 'ID', description: 'ID of the session to replay (see selfListSessions)' },
    speed: { type: 'string', default: '1', valueName: 'FACTOR', description: 'Play FACTOR times faster (0.5 = half speed)' },
    account: { type: 'string', valueName: 'ACCOUNT', description: 'Auditors and admins: replay a session of this account' },
  },
  help: `The session's details are printed, then what the target showed, with the pauses it had.
With a terminal, the replay starts when you press ENTER; without one it starts at once.
A session without a pty replays its stdout and stderr each on its own stream.

The recordings are asciicast v2 files under the bastion's data directory: stock
\`asciinema play\` plays them too (stdout only for sessions without a pty).`,
  examples: ['--id 8c1f0e5a7b21', '--id 8c1f0e5a7b21 --speed 4'],
  differences: [
    "Recordings are asciicast v2, not ttyrec; the keys '+', '-' and '1' of ttyplay do not exist: use --speed.",
    'Without a terminal the replay does not wait for ENTER (nothing could press it).',
    "--account ACCOUNT lets auditors and admins replay another account's session (The Bastion: adminSudo).",
  ],
  async handler(ctx, o) {
    const viewed = viewedAccountId(ctx, o.account, "replay another account's sessions");
    if (!isOk(viewed)) return viewed;
    const accountId = viewed.value;
    const speed = Number(o.speed);
    if (!Number.isFinite(speed) || speed < 0.01 || speed > 10_000) {
      return R('ERR_INVALID_PARAMETER', { msg: '--speed expects a number between 0.01 and 10000' });
    }
    const r = ctx.store.sessions.byId(o.id);
    // Someone else's session is "not found" too: its existence is not the caller's business.
    if (!r || r.account_id !== accountId) return R('ERR_NOT_FOUND', { msg: 'Found no session under this ID' });

    const line = (k: string, v: string): void => ctx.out.info(`${k.padStart(8)}: ${v}`);
    line('ID', r.id);
    line('Started', stamp(r.started_at, ' '));
    line('Ended', r.ended_at === null ? 'n/a' : stamp(r.ended_at, ' '));
    line('Duration', r.ended_at === null ? 'n/a' : `${humanDuration((r.ended_at - r.started_at) / 1000)}.${String((r.ended_at - r.started_at) % 1000).padStart(3, '0')}`);
    line('Type', sessionType(r));
    line('From', `${machineDisplay(r.peer_ip, r.peer_port)} (${r.peer_ip})`);
    line('Via', r.via_ip === null ? `${r.account}@bastion` : machineDisplay(r.via_ip, r.via_port ?? 0, r.account));
    line('To', `${machineDisplay(r.target_ip, r.target_port, r.target_user)} (${r.target_host})`);
    line('RetCode', r.exit_signal ? `signal ${r.exit_signal}` : r.exit_status === null ? 'n/a' : String(r.exit_status));
    line('Params', r.command === null ? "''" : r.command);
    ctx.out.info(' ');

    if (r.recording === null) {
      ctx.out.info('There is no terminal recording for this session');
      return R('OK', { value: {} });
    }
    const file = path.join(path.resolve(ctx.config.dataDir), r.recording);
    if (!fs.existsSync(file)) return R('ERR_NOT_FOUND', { msg: `Recorded session for ID ${r.id} couldn't be found, it might have been archived` });

    if (ctx.out.style.pty) {
      ctx.out.info(`When you're ready to replay session ${r.id}, press ENTER.`);
      ctx.out.info('Starting from the next line, the Total Recall begins.');
      await ctx.stdin.readLine();
    } else {
      ctx.out.info(`Replaying session ${r.id}; starting from the next line, the Total Recall begins.`);
    }
    try {
      const played = await replayCast(
        file,
        speed,
        {
          out: (d) => ctx.out.writeRaw(d, 'stdout'),
          err: (d) => ctx.out.writeRaw(d, 'stderr'),
          drain: () => ctx.out.drain(),
        },
        ctx.signal,
      );
      if (played.stopped) {
        // Nobody is there to read the answer; the audit row and the call's log line say how it ended.
        ctx.log.info({ session: r.id, events: played.events, speed }, 'session replay stopped: the client has gone');
        return R('KO_CLIENT_GONE', { msg: `The replay of session ${r.id} stopped: the client has gone` });
      }
      ctx.log.info({ session: r.id, events: played.events, speed }, 'session replayed');
    } catch (e) {
      if (e instanceof CastFormatError) return R('ERR_INTERNAL', { msg: `The recording of session ${r.id} is damaged: ${e.message}` });
      throw e;
    }
    return R('OK', { value: {} });
  },
});
