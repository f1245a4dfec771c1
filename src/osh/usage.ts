// The bastion's own usage text, printed when a request names nothing to do (osh.pl's help()).
export function bastionUsage(account: string, bastionName: string): string {
  return [
    `Usage: ssh ${account}@${bastionName} -t -- [OPTIONS] [user@]host [-p port] [-- remote command]`,
    `       ssh ${account}@${bastionName} -t -- [OPTIONS] --osh PLUGIN [PLUGIN OPTIONS]`,
    '',
    'Options:',
    '  --osh PLUGIN        run a bastion plugin (--osh help lists the ones you may run)',
    '  --json              add a JSON envelope between JSON_START and JSON_END lines',
    '  --json-pretty       the same, indented',
    '  --json-greppable    add the JSON envelope on one JSON_OUTPUT= line',
    '  --quiet, -q         no header, footer or decorations',
    '  --user, -u, -l USER remote user name',
    '  --port, -p PORT     remote port',
    '  --host, -h HOST     remote host',
    "  --help              this text; with --osh PLUGIN, the plugin's help",
  ].join('\n');
}
