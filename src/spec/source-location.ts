/**
 * The forms a data `source` entry takes: a local path or glob (relative to the spec file), an s3://bucket/key, or
 * an s3://bucket/prefix/*.parquet glob. Spec validation and data preparation both read entries through here.
 */
export type SourceLocation = { kind: 'local'; path: string; glob: boolean } | { kind: 's3'; bucket: string; key: string; glob: boolean };

const S3 = /^s3:\/\/([^/]*)\/?(.*)$/s;

export function isS3(entry: string): boolean {
  return entry.startsWith('s3://');
}

/** Glob characters segflow understands: * (within a path segment), ** (any depth), ? and [...] classes. */
export function hasGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

export function parseSourceLocation(entry: string): SourceLocation | { error: string } {
  if (!isS3(entry)) return { kind: 'local', path: entry, glob: hasGlob(entry) };
  const m = S3.exec(entry);
  const bucket = m?.[1] ?? '';
  const key = m?.[2] ?? '';
  if (bucket === '') return { error: `'${entry}' names no bucket; write s3://BUCKET/KEY` };
  if (hasGlob(bucket)) return { error: `'${entry}': the bucket name cannot be a glob` };
  if (key === '' || key.endsWith('/'))
    return { error: `'${entry}' names no object; write s3://${bucket}/KEY or a glob such as s3://${bucket}/${key}*.parquet` };
  return { kind: 's3', bucket, key, glob: hasGlob(key) };
}

/** The literal part of a glob before its first wildcard segment: a directory to walk, or an S3 prefix to list. */
export function globBase(pattern: string): string {
  const first = pattern.search(/[*?[]/);
  if (first < 0) return pattern;
  const slash = pattern.lastIndexOf('/', first);
  return slash < 0 ? '' : pattern.slice(0, slash + 1);
}

/**
 * A glob as a regular expression over '/'-separated paths: `*` and `?` never cross a '/', `**` spans any number of
 * segments (including none), `[abc]`/`[!abc]` are classes. Everything else is literal.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        const slash = pattern[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let body = pattern.slice(i + 1, close);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}
