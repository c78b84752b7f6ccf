import { ApiError } from '../api-error.js';
import * as buckets from './buckets.js';
import * as config from './bucket-config.js';
import { copyObject } from './copy-object.js';
import { listObjectsV1, listObjectsV2 } from './list-objects.js';
import * as mp from './multipart.js';
import * as objects from './objects.js';
import * as deletes from './deletes.js';
import * as tagging from './tagging.js';
import * as lifecycle from './lifecycle.js';
import * as rules from './bucket-access-rules.js';
import * as versioning from './versioning.js';
import type { S3Request } from './responses.js';

/**
 * Path-style S3 (REST-XML): /<bucket>[/<key>] with subresources in the query. Returns the operation name
 * (for /_emulator/calls) and answers through r.res.
 */
type Route = [operation: string, run: (r: S3Request) => Promise<void> | void];

function notImplemented(): never {
  throw new ApiError('NotImplemented', 'A header or query you provided implies functionality that is not implemented.', 501);
}

export function splitPath(rawPath: string): { bucket?: string; key?: string } {
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  if (path === '') return {};
  const slash = path.indexOf('/');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new ApiError('InvalidURI', "Couldn't parse the specified URI.");
    }
  };
  if (slash < 0) return { bucket: decode(path) };
  const key = path.slice(slash + 1);
  return key === '' ? { bucket: decode(path.slice(0, slash)) } : { bucket: decode(path.slice(0, slash)), key: decode(key) };
}

/**
 * Path-style addressing, plus virtual-hosted style for hosts named <bucket>.localhost (what SDKs do when they are
 * configured with a `localhost` endpoint and virtual addressing).
 */
export function addressOf(host: string | undefined, rawPath: string): { bucket?: string; key?: string } {
  const vh = /^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.localhost(?::\d+)?$/.exec(host ?? '');
  if (!vh) return splitPath(rawPath);
  const rest = splitPath(`/${vh[1]}${rawPath}`);
  return rest;
}

export function routeS3(r: S3Request): Route {
  const m = r.req.method ?? 'GET';
  const q = r.query;
  if (r.bucket === undefined) {
    if (m === 'GET') return ['ListBuckets', buckets.listBuckets];
    notImplemented();
  }
  if (r.key === undefined) {
    switch (m) {
      case 'PUT':
        if (q.has('publicAccessBlock')) return ['PutPublicAccessBlock', config.putPublicAccessBlock];
        if (q.has('policy')) return ['PutBucketPolicy', config.putBucketPolicy];
        if (q.has('encryption')) return ['PutBucketEncryption', config.putBucketEncryption];
        if (q.has('versioning')) return ['PutBucketVersioning', versioning.putBucketVersioning];
        if (q.has('tagging')) return ['PutBucketTagging', tagging.putBucketTagging];
        if (q.has('lifecycle')) return ['PutBucketLifecycleConfiguration', lifecycle.putBucketLifecycleConfiguration];
        if (q.has('requestPayment')) return ['PutBucketRequestPayment', rules.putBucketRequestPayment];
        if ([...q.keys()].length > 0) notImplemented();
        return ['CreateBucket', buckets.createBucket];
      case 'GET':
        if (q.has('publicAccessBlock')) return ['GetPublicAccessBlock', config.getPublicAccessBlock];
        if (q.has('policy')) return ['GetBucketPolicy', config.getBucketPolicy];
        if (q.has('encryption')) return ['GetBucketEncryption', config.getBucketEncryption];
        if (q.has('location')) return ['GetBucketLocation', buckets.getBucketLocation];
        if (q.has('versioning')) return ['GetBucketVersioning', versioning.getBucketVersioning];
        if (q.has('versions')) return ['ListObjectVersions', versioning.listObjectVersions];
        if (q.has('tagging')) return ['GetBucketTagging', tagging.getBucketTagging];
        if (q.get('list-type') === '2') return ['ListObjectsV2', listObjectsV2];
        if (q.has('lifecycle')) return ['GetBucketLifecycleConfiguration', lifecycle.getBucketLifecycleConfiguration];
        if (q.has('requestPayment')) return ['GetBucketRequestPayment', rules.getBucketRequestPayment];
        if (q.has('uploads')) return ['ListMultipartUploads', lifecycle.listMultipartUploads];
        if (q.has('acl')) notImplemented();
        return ['ListObjects', listObjectsV1];
      case 'HEAD':
        return ['HeadBucket', buckets.headBucket];
      case 'DELETE':
        if (q.has('publicAccessBlock')) return ['DeletePublicAccessBlock', config.deletePublicAccessBlock];
        if (q.has('policy')) return ['DeleteBucketPolicy', config.deleteBucketPolicy];
        if (q.has('encryption')) return ['DeleteBucketEncryption', config.deleteBucketEncryption];
        if (q.has('tagging')) return ['DeleteBucketTagging', tagging.deleteBucketTagging];
        if (q.has('lifecycle')) return ['DeleteBucketLifecycle', lifecycle.deleteBucketLifecycle];
        if ([...q.keys()].length > 0) notImplemented();
        return ['DeleteBucket', buckets.deleteBucket];
      case 'POST':
        if (q.has('delete')) return ['DeleteObjects', deletes.deleteObjects];
        notImplemented();
    }
    notImplemented();
  }
  switch (m) {
    case 'PUT':
      if (q.has('uploadId')) {
        if (r.req.headers['x-amz-copy-source'] !== undefined) notImplemented(); // UploadPartCopy
        return ['UploadPart', mp.uploadPart];
      }
      if (q.has('tagging') || q.has('acl')) notImplemented();
      if (r.req.headers['x-amz-copy-source'] !== undefined) return ['CopyObject', copyObject];
      return ['PutObject', objects.putObject];
    case 'GET':
      if (q.has('uploadId')) return ['ListParts', mp.listParts];
      if (q.has('tagging') || q.has('acl') || q.has('attributes')) notImplemented();
      return ['GetObject', (x) => objects.getObjectOrHead(x, false)];
    case 'HEAD':
      return ['HeadObject', (x) => objects.getObjectOrHead(x, true)];
    case 'DELETE':
      if (q.has('uploadId')) return ['AbortMultipartUpload', mp.abortMultipartUpload];
      return ['DeleteObject', deletes.deleteObject];
    case 'POST':
      if (q.has('uploads')) return ['CreateMultipartUpload', mp.createMultipartUpload];
      if (q.has('uploadId')) return ['CompleteMultipartUpload', mp.completeMultipartUpload];
      notImplemented();
  }
  throw new ApiError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
}
