import { definePlugin, CATEGORIES } from '../../src/osh/define.js';
import { R } from '../../src/kernel/result.js';

const TITLES: Record<string, string> = {
  open: 'OPEN plugins: anyone may run them',
  restricted: 'RESTRICTED plugins: need a specific grant',
  'group-owner': 'GROUP OWNER plugins: for owners of a group',
  'group-gatekeeper': 'GROUP GATEKEEPER plugins: for gatekeepers of a group',
  'group-aclkeeper': 'GROUP ACLKEEPER plugins: for aclkeepers of a group',
  admin: 'ADMIN plugins: for bastion admins',
};

export default definePlugin({
  name: 'help',
  category: 'open',
  summary: 'I am lost, help me!',
  header: 'help',
  help: 'Lists the plugins you may run, by category. Run --osh PLUGIN --help for the help of one of them.',
  options: {},
  handler(ctx) {
    const { out } = ctx;
    for (const category of CATEGORIES) {
      const mine = [...ctx.server.plugins.values()].filter((p) => p.category === category && ctx.mayRun(p));
      if (mine.length === 0) continue;
      out.info(out.colour(TITLES[category] ?? category, 'green'));
      const width = Math.max(...mine.map((p) => p.name.length));
      for (const p of mine.sort((a, b) => a.name.localeCompare(b.name))) out.info(`- ${out.colour(p.name.padEnd(width), 'cyan')}  ${p.summary}`);
      out.info('');
    }
    out.info('Run any of them with: --osh PLUGIN [OPTIONS], and --osh PLUGIN --help for its options.');
    // The Bastion answers help with a null value; scripts only test the code.
    return R('OK');
  },
});
