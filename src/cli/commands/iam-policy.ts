import type { Command } from '../context.js';
import { parseCommandArgs, parseTargetOverride } from '../args.js';
import { ExitCode, SegflowError, inputError } from '../../util/errors.js';
import { connectTarget } from '../../engine/session.js';
import { boundaryPolicy, ciPolicy, readOnly } from '../../resources/ci-policy.js';
import type { Spec } from '../../spec/types.js';
import { partitionOf } from '../../aws/partition.js';
import { engineDeps } from '../engine-deps.js';
import { DEFAULT_ACCOUNT_ID } from '../../emulator/options.js';
import { loadSpecForState } from './engine-io.js';

export const command: Command = {
  name: 'iam-policy',
  summary: 'the least-privilege IAM policy a CI role needs for this pipeline (its resources, bucket, role, state)',
  usage: [
    'Usage: segflow iam-policy FILE [--account ID] [--read-only | --boundary] [--target local|aws]',
    '',
    'Prints the identity policy (JSON) that lets a CI role plan, apply, report and destroy this pipeline and',
    "nothing else: Personalize on the pipeline's own resources, its bucket and prefix, its IAM role (iam:PassRole",
    'only to personalize.amazonaws.com), the s3:// sources read-only, and the shared state, its lock, history and',
    'reports. ARNs come from the same naming functions apply uses. Without --account, the account is read with',
    'STS GetCallerIdentity. --read-only: only what plan, status, report and state history read (a role for',
    'pull requests, which never take the lock). See docs/team.md.',
    '',
    'The IAM part follows spec.iam: with iam.roleArn, no IAM write at all (the role is read and passed to',
    'Personalize); with iam.permissionsBoundary, the role may be created and its policy written only with that',
    'boundary, and removing or changing the boundary is denied. Without either, the full policy is refused',
    '(SPEC_IAM_REQUIRED): a CI role that creates roles must be bounded. --boundary prints the boundary policy',
    'itself, for the platform team to create once under the name iam.permissionsBoundary gives. See docs/security.md.',
  ].join('\n'),
  async run(ctx) {
    const { values, positionals } = parseCommandArgs('iam-policy', ctx.argv, {
      account: { type: 'string' },
      'read-only': { type: 'boolean' },
      boundary: { type: 'boolean' },
    });
    if (values['read-only'] && values.boundary) throw inputError('CLI_USAGE', 'iam-policy: --read-only and --boundary print different policies; give one');
    if (values.account !== undefined && !/^\d{12}$/.test(values.account))
      throw inputError('CLI_USAGE', `iam-policy: --account must be 12 digits, not '${values.account}'`);
    const spec = await loadSpecForState(ctx, positionals[0], parseTargetOverride(values.target), 'iam-policy');
    // The embedded emulator always runs as its one test account: no need to start it to print a document.
    let account = values.account ?? (spec.target.kind === 'local' && !spec.target.endpoint ? DEFAULT_ACCOUNT_ID : undefined);
    if (!account) {
      const connection = await connectTarget(spec.target, ctx.cwd, engineDeps(), { onInfo: (m) => ctx.stderr.write(`${m}\n`) });
      try {
        account = (await connection.aws.sts.getCallerIdentity()).account;
      } catch (e) {
        throw new SegflowError('AWS_CREDENTIALS', `cannot identify the AWS account for ${connection.aws.label}: ${(e as Error).message}`, [
          'pass --account ID, or configure credentials the AWS SDK finds',
        ]);
      } finally {
        await connection.close();
      }
    }
    const env = { account, region: spec.target.region, partition: partitionOf(spec.target.region) };
    const policy = values.boundary ? boundaryPolicy(spec, env) : values['read-only'] ? readOnly(ciPolicy(readableSpec(spec), env)) : ciPolicy(spec, env);
    ctx.stdout.write(JSON.stringify(policy, null, 2) + '\n');
    return ExitCode.ok;
  },
};

/**
 * --read-only needs no decision about writing roles (its statements keep only reads, and no Deny): without spec.iam
 * the role's reads are those of a segflow-made role (the boundary named here never reaches the output).
 */
function readableSpec(spec: Spec): Spec {
  return spec.iam ? spec : { ...spec, iam: { permissionsBoundary: 'arn:aws:iam::aws:policy/unused-by-read-only' } };
}
