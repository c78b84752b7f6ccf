import { resolve } from 'node:path';
import type { Command } from '../context.js';
import { parseCommandArgs } from '../args.js';
import { inputError } from '../../util/errors.js';
import { localEmulatorDir } from '../../util/paths.js';

const USAGE = `Usage: segflow emulator [--port N] [--host 127.0.0.1] [--data-dir DIR] [--lifecycle fast|realistic] [--faults SPEC]
                        [--page-size N] [--iam-propagation-delay S] [--quotas NAME=N,...]
                        [--account ID:KEY:SECRET ...] [--role-session KEY:SECRET:ROLE_ARN ...]
                        [--credential-expiry requests=N,ms=N]

Serves Amazon Personalize, S3 (path-style), IAM, STS and KMS on one local endpoint for any AWS SDK or the AWS CLI.
Credentials: access key 'test', secret 'test' (any region; ARNs take the region's partition); account 000000000000.

  --port N            port to listen on (default 4599; 0 picks a free one)
  --host H            address to bind (default 127.0.0.1)
  --data-dir DIR      where state lives (default .segflow/local, the directory local runs use)
  --lifecycle SPEED   realistic (default: ~2 s per status step) or fast (~20 ms, for tests)
  --faults SPEC       e.g. throttle=0.1,error=0.05,latency=200,fail=CreateSolutionVersion,seed=7
  --page-size N       at most N items per list page (Personalize, S3, IAM, KMS), to exercise paging
  --iam-propagation-delay S
                      seconds before a new or changed IAM role is usable by Personalize (default 0)
  --quotas NAME=N,... lower Personalize quotas to reach them in tests, e.g. batchSegmentJobsInFlight=1
  --account ID:KEY:SECRET
                      one more account (repeatable): requests signed with KEY/SECRET act as account ID, with
                      its own IAM, Personalize and KMS; S3 buckets belong to the account that created them
  --role-session KEY:SECRET:ROLE_ARN
                      credentials of a session of that role (repeatable; a CI role): its policies and
                      permissions boundary authorize every request signed with them, in every service
  --credential-expiry requests=N,ms=N
                      the default credentials expire after N signed requests or N ms (ExpiredToken answers)
                      until POST /_emulator/credentials/renew

Endpoints: GET /_emulator/health, GET /_emulator/calls, GET|PUT /_emulator/faults, GET /_emulator/credentials,
POST /_emulator/credentials/renew. See docs/emulator.md.`;

export const command: Command = {
  name: 'emulator',
  summary: 'run the local AWS-compatible endpoint (Personalize, S3, IAM, STS) for any SDK or the AWS CLI',
  usage: USAGE,
  async run(ctx) {
    const { values } = parseCommandArgs('emulator', ctx.argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      lifecycle: { type: 'string' },
      faults: { type: 'string' },
      'page-size': { type: 'string' },
      'iam-propagation-delay': { type: 'string' },
      quotas: { type: 'string' },
      account: { type: 'string', multiple: true },
      'role-session': { type: 'string', multiple: true },
      'credential-expiry': { type: 'string' },
    });
    const port = values.port === undefined ? 4599 : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw inputError('CLI_USAGE', `--port must be an integer 0..65535, not '${values.port}'`);
    const lifecycle = values.lifecycle ?? 'realistic';
    if (lifecycle !== 'fast' && lifecycle !== 'realistic') throw inputError('CLI_USAGE', `--lifecycle must be fast or realistic, not '${lifecycle}'`);
    const pageSize = values['page-size'] === undefined ? undefined : Number(values['page-size']);
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize >= 1))
      throw inputError('CLI_USAGE', `--page-size must be a positive integer, not '${values['page-size']}'`);
    const delayText = values['iam-propagation-delay'];
    const delaySeconds = delayText === undefined ? 0 : Number(delayText);
    if (!(Number.isFinite(delaySeconds) && delaySeconds >= 0 && delaySeconds <= 3600)) {
      throw inputError('CLI_USAGE', `--iam-propagation-delay must be a number of seconds from 0 to 3600, not '${delayText}'`);
    }
    const { startEmulator, parseFaultSpec, parseQuotaSpec, parseAccountSpec, parseRoleSessionSpec, parseCredentialExpirySpec } =
      await import('../../emulator/index.js');
    const quotas = values.quotas ? parseQuotaSpec(values.quotas) : undefined;
    const accounts = (values.account ?? []).map(parseAccountSpec);
    const roleSessions = (values['role-session'] ?? []).map(parseRoleSessionSpec);
    const credentialExpiry = values['credential-expiry'] !== undefined ? parseCredentialExpirySpec(values['credential-expiry']) : undefined;
    const faults = values.faults ? parseFaultSpec(values.faults) : undefined;
    const dataDir = values['data-dir'] ? resolve(ctx.cwd, values['data-dir']) : localEmulatorDir(ctx.cwd);
    const log = (line: string) => ctx.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
    const emu = await startEmulator({
      dataDir,
      port,
      host: values.host ?? '127.0.0.1',
      lifecycle,
      faults,
      log,
      pageSize,
      iamPropagationDelayMs: Math.round(delaySeconds * 1000),
      quotas,
      accounts,
      roleSessions,
      ...(credentialExpiry ? { credentialExpiry } : {}),
    });
    ctx.stdout.write(
      [
        `segflow emulator listening on ${emu.endpoint}`,
        `  data:        ${dataDir}`,
        `  credentials: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test (any region)`,
        ...accounts.map((a) => `  account ${a.accountId}: AWS_ACCESS_KEY_ID=${a.accessKeyId}`),
        ...roleSessions.map((s) => `  role ${s.roleArn}: AWS_ACCESS_KEY_ID=${s.accessKeyId}`),
        ...(credentialExpiry
          ? [`  the default credentials expire (${values['credential-expiry']}); renew: POST ${emu.endpoint}/_emulator/credentials/renew`]
          : []),
        `  try:         aws --endpoint-url ${emu.endpoint} sts get-caller-identity`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    await new Promise<void>((done) => {
      if (ctx.signal.aborted) return done();
      ctx.signal.addEventListener('abort', () => done(), { once: true });
    });
    await emu.close();
    ctx.stdout.write('segflow emulator stopped; in-flight work continues at the next start on the same data directory.\n');
    return 0;
  },
};
