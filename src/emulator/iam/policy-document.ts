import { ApiError } from '../api-error.js';

/** A policy document must be JSON with a Statement of Allow/Deny entries (MalformedPolicyDocument otherwise). */
export function checkPolicyDocument(text: string, maxChars: number, what: string): void {
  if (text.length > maxChars) throw new ApiError('LimitExceeded', `Cannot exceed quota for ${what}: ${maxChars}`, 409);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ApiError('MalformedPolicyDocument', 'This policy contains invalid Json', 400);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new ApiError('MalformedPolicyDocument', 'This policy contains invalid Json', 400);
  const o = doc as Record<string, unknown>;
  if (o.Version !== undefined && o.Version !== '2012-10-17' && o.Version !== '2008-10-17') {
    throw new ApiError('MalformedPolicyDocument', 'The policy failed legacy parsing', 400);
  }
  const statements = Array.isArray(o.Statement) ? o.Statement : o.Statement === undefined ? undefined : [o.Statement];
  if (!statements || statements.length === 0) throw new ApiError('MalformedPolicyDocument', 'Syntax errors in policy.', 400);
  for (const s of statements) {
    if (typeof s !== 'object' || s === null) throw new ApiError('MalformedPolicyDocument', 'Syntax errors in policy.', 400);
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny')
      throw new ApiError('MalformedPolicyDocument', 'Policy statement must contain a valid Effect (Allow or Deny).', 400);
    if (st.Action === undefined && st.NotAction === undefined) throw new ApiError('MalformedPolicyDocument', 'Policy statement must contain actions.', 400);
  }
}

/** IAM returns policy documents URL-encoded (RFC 3986), as its API reference says. */
export function encodePolicy(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
