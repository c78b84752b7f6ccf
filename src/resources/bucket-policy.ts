import type { Spec } from '../spec/types.js';
import { shortHash, stableStringify } from '../util/hash.js';
import { bucketArn, prefixOf } from './naming.js';
import type { Env } from './types.js';

/**
 * segflow's statements in a bucket policy, and how they are merged into whatever policy the bucket already has.
 * Each pipeline labels its statements with its own Sid prefix, so pipelines sharing a bucket, and the owner's own
 * statements, are never dropped: an apply replaces only its own statements, a destroy removes only them.
 */
export type Statement = Record<string, unknown> & { Sid?: string };
export interface PolicyDocument {
  Version: string;
  Id?: string;
  Statement: Statement[];
}

/** Sids are letters and digits only (IAM's rule, kept for bucket policies too): the name in PascalCase plus a hash. */
export function sidPrefix(spec: Pick<Spec, 'name'>): string {
  const pascal = spec.name
    .split('-')
    .map((w) => (w ? w[0]!.toUpperCase() + w.slice(1) : ''))
    .join('');
  return `Segflow${pascal}${shortHash(spec.name, 4)}`;
}

/** Sids of the statements segflow 0.1 wrote into buckets it created (replaced by the labelled ones on apply). */
export const LEGACY_SIDS = ['DenyInsecureTransport', 'PersonalizeReadsPipelinePrefix', 'PersonalizeWritesSegments'];

/**
 * TLS only (for the whole bucket when segflow created it, else for the pipeline's objects); Personalize (acting
 * for this account only) may list and read the pipeline's prefix and write its output folder, which batch
 * workflows require besides the role's own policy.
 */
export function segflowStatements(spec: Spec, env: Env, ownBucket: boolean): Statement[] {
  const bucket = bucketArn(env, spec.storage.bucket);
  const prefix = prefixOf(spec);
  const sid = sidPrefix(spec);
  const service = { Service: 'personalize.amazonaws.com' };
  const thisAccount = { StringEquals: { 'aws:SourceAccount': env.account } };
  return [
    {
      Sid: `${sid}DenyInsecureTransport`,
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: prefix && !ownBucket ? `${bucket}/${prefix}*` : [bucket, `${bucket}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
    {
      Sid: `${sid}PersonalizeReads`,
      Effect: 'Allow',
      Principal: service,
      Action: ['s3:GetObject', 's3:ListBucket'],
      Resource: [bucket, `${bucket}/${prefix}*`],
      Condition: thisAccount,
    },
    {
      Sid: `${sid}PersonalizeWrites`,
      Effect: 'Allow',
      Principal: service,
      Action: 's3:PutObject',
      Resource: `${bucket}/${prefix}output/*`,
      Condition: thisAccount,
    },
  ];
}

export function parsePolicy(text: string | undefined): PolicyDocument {
  if (!text) return { Version: '2012-10-17', Statement: [] };
  const doc = JSON.parse(text) as { Version?: string; Id?: string; Statement?: Statement | Statement[] };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  return { Version: doc.Version ?? '2012-10-17', ...(doc.Id ? { Id: doc.Id } : {}), Statement: statements };
}

function isOurs(s: Statement, prefix: string, legacy: boolean): boolean {
  return typeof s.Sid === 'string' && (s.Sid.startsWith(prefix) || (legacy && LEGACY_SIDS.includes(s.Sid)));
}

/** The live policy with this pipeline's statements replaced by `ours` (everyone else's kept, in order). */
export function mergePolicy(live: PolicyDocument, ours: Statement[], spec: Spec, opts: { legacy: boolean }): PolicyDocument {
  const prefix = sidPrefix(spec);
  return { ...live, Statement: [...live.Statement.filter((s) => !isOurs(s, prefix, opts.legacy)), ...ours] };
}

/** The live policy without this pipeline's statements (undefined: nothing would remain, delete the policy). */
export function withoutOurs(live: PolicyDocument, spec: Spec, opts: { legacy: boolean }): PolicyDocument | undefined {
  const rest = live.Statement.filter((s) => !isOurs(s, sidPrefix(spec), opts.legacy));
  return rest.length ? { ...live, Statement: rest } : undefined;
}

/** What differs between the statements the bucket has for this pipeline and the ones it should have. */
export function statementDrift(live: PolicyDocument, ours: Statement[], spec: Spec): string[] {
  const prefix = sidPrefix(spec);
  const have = new Map(live.Statement.filter((s) => s.Sid?.startsWith(prefix)).map((s) => [s.Sid!, stableStringify(s)]));
  const out: string[] = [];
  for (const s of ours) {
    const h = have.get(s.Sid!);
    if (h === undefined) out.push(`bucket policy lacks segflow's statement ${s.Sid}`);
    else if (h !== stableStringify(s)) out.push(`bucket policy statement ${s.Sid} was changed`);
  }
  return out;
}
