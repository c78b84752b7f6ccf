import { ApiError } from '../api-error.js';
import { notAuthorized } from '../iam/denial.js';
import type { S3Bucket } from '../store/state.js';
import { child, childText, type XmlNode } from '../xml.js';
import { authorizeCaller, callerDecision, callerPrincipal, objectArn } from './access.js';
import { etagMatches, noSuchKey, noteKeyDeleted, preconditionFailed } from './conditional.js';
import { versionIdParam } from './objects.js';
import { header, mustBucket, readXmlBody, sendEmpty, sendXml, type S3Request } from './responses.js';
import { getObject } from './s3-model.js';
import { deleteCurrent, deleteVersion, NULL_VERSION, type DeleteOutcome } from './versions.js';

/**
 * DeleteObject and DeleteObjects: plain deletes (a delete marker in a versioned bucket), deletes of one version, and
 * conditional deletes with If-Match (DeleteObject) or an ETag per object (DeleteObjects), which "only apply to the
 * current version of the object" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-deletes.html).
 */
function deleteOne(b: S3Bucket, key: string, versionId: string | undefined): DeleteOutcome {
  const before = getObject(b, key);
  const outcome = versionId === undefined ? deleteCurrent(b, key) : deleteVersion(b, key, versionId);
  // "a delete request to an object succeeds": in-flight conditional writes of the key now conflict.
  if (before || outcome.deleteMarker) noteKeyDeleted(b, key);
  return outcome;
}

/** If-Match on a delete: `*` asks that the object exist, an ETag that it be unchanged. */
function checkDeleteCondition(b: S3Bucket, key: string, ifMatch: string | undefined): void {
  if (ifMatch === undefined) return;
  const current = getObject(b, key);
  if (!current) throw noSuchKey(key);
  if (!etagMatches(ifMatch, current.etag)) throw preconditionFailed('If-Match');
}

function deleteAction(versionId: string | undefined): string {
  return versionId === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion';
}

/**
 * A delete conditional on an ETag reads the object's ETag: "conditional deletes with a specific ETag value require
 * both s3:DeleteObject and s3:GetObject permissions" ("Enforce conditional deletes on Amazon S3 buckets",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-delete-enforce.html). If-Match: * does not.
 */
function comparesEtag(ifMatch: string | undefined): boolean {
  return ifMatch !== undefined && ifMatch !== '*';
}

export async function deleteObject(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  const key = r.key!;
  const versionId = versionIdParam(r);
  const ifMatch = header(r.req, 'if-match');
  authorizeCaller(r, b, deleteAction(versionId), objectArn(b, key), ifMatch !== undefined ? { 's3:if-match': ifMatch } : {});
  if (comparesEtag(ifMatch)) authorizeCaller(r, b, 's3:GetObject', objectArn(b, key));
  checkDeleteCondition(b, key, ifMatch);
  const outcome = deleteOne(b, key, versionId);
  await r.emu.store.commit();
  for (const blob of outcome.freed) await r.emu.blobs.remove(blob);
  const headers: Record<string, string> = {};
  if (outcome.deleteMarker) headers['x-amz-delete-marker'] = 'true';
  if (outcome.versionId !== undefined && (b.versioning || versionId !== undefined)) headers['x-amz-version-id'] = outcome.versionId;
  sendEmpty(r, 204, headers);
}

type Entry = [string, XmlNode[]];

/**
 * DeleteObjects: at most 1000 objects; a missing key counts as deleted, as on S3; each object that cannot be deleted
 * (an explicit Deny for the caller in the bucket policy, a failed ETag condition) gets its own <Error> while the
 * others are deleted.
 */
export async function deleteObjects(r: S3Request): Promise<void> {
  const b = mustBucket(r);
  const doc = await readXmlBody(r, 'Delete', true);
  const quiet = childText(doc, 'Quiet') === 'true';
  const objects = doc.children.filter((c) => c.name === 'Object');
  if (objects.length === 0 || objects.length > 1000) {
    throw new ApiError('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  const deleted: Entry[] = [];
  const errors: Entry[] = [];
  const freed: string[] = [];
  for (const o of objects) {
    const key = child(o, 'Key')?.text;
    const versionId = childText(o, 'VersionId');
    const etag = childText(o, 'ETag');
    const failed = (code: string, message: string) =>
      errors.push([
        'Error',
        [['Key', key ?? ''], ...(versionId !== undefined ? [['VersionId', versionId] as XmlNode] : []), ['Code', code], ['Message', message]],
      ]);
    if (key === undefined || key === '') {
      failed('InvalidArgument', 'A key is required.');
      continue;
    }
    if (versionId !== undefined && versionId !== NULL_VERSION && !/^[A-Za-z0-9._-]{1,1024}$/.test(versionId)) {
      failed('NoSuchVersion', 'The specified version does not exist.');
      continue;
    }
    const action = deleteAction(versionId);
    const decision = callerDecision(r, b, action, objectArn(b, key), etag !== undefined ? { 's3:if-match': etag } : {});
    if (!decision.allowed) {
      failed('AccessDenied', notAuthorized(callerPrincipal(r.info), action, objectArn(b, key), decision));
      continue;
    }
    const read = comparesEtag(etag) ? callerDecision(r, b, 's3:GetObject', objectArn(b, key)) : { allowed: true as const };
    if (!read.allowed) {
      failed('AccessDenied', notAuthorized(callerPrincipal(r.info), 's3:GetObject', objectArn(b, key), read));
      continue;
    }
    try {
      checkDeleteCondition(b, key, etag);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      failed(e.code, e.message);
      continue;
    }
    const outcome = deleteOne(b, key, versionId);
    freed.push(...outcome.freed);
    const entry: XmlNode[] = [['Key', key]];
    if (versionId !== undefined) entry.push(['VersionId', versionId]);
    if (outcome.deleteMarker) {
      entry.push(['DeleteMarker', 'true']);
      if (versionId === undefined && outcome.versionId !== undefined) entry.push(['DeleteMarkerVersionId', outcome.versionId]);
    }
    deleted.push(['Deleted', entry]);
  }
  await r.emu.store.commit();
  for (const blob of freed) await r.emu.blobs.remove(blob);
  sendXml(r, 200, 'DeleteResult', [...(quiet ? [] : deleted), ...errors]);
}
