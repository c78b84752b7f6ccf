import { ApiError } from '../api-error.js';
import { parseArn } from '../partitions.js';

/**
 * Input checks with the service model's constraints (botocore personalize 2018-05-22). A constraint violation is
 * InvalidInputException with AWS's "1 validation error detected" wording; a wrongly typed member is
 * SerializationException, as the JSON protocol front end answers.
 */
export const NAME = { max: 63, pattern: /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/, patternText: '^[a-zA-Z0-9][a-zA-Z0-9\\-_]*' };
/** ARNs (Arn, RoleArn, KmsKeyArn) must also be in the partition of the request's region: `inPartition`. */
export const ARN = { max: 256, pattern: /^arn:([a-z\d-]+):personalize:.*:.*:.+$/, patternText: 'arn:([a-z\\d-]+):personalize:.*:.*:.+', inPartition: true };
export const ROLE_ARN = {
  max: 256,
  pattern: /^arn:([a-z\d-]+):iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/,
  patternText: 'arn:([a-z\\d-]+):iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+',
  inPartition: true,
};
export const KMS_ARN = { max: 2048, pattern: /^arn:aws.*:kms:.*:[0-9]{12}:key\/.*$/, patternText: 'arn:aws.*:kms:.*:[0-9]{12}:key/.*', inPartition: true };
export const S3_LOCATION = { max: 256, pattern: /^(s3|http|https):\/\/.+$/, patternText: '(s3|http|https)://.+' };
export const NEXT_TOKEN = { max: 1500, pattern: /^\p{ASCII}*$/u, patternText: '\\p{ASCII}{0,1500}' };

export interface StrRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternText?: string;
  enum?: readonly string[];
  /** An ARN that must be in the request's partition. */
  inPartition?: boolean;
}

function invalid(name: string, value: unknown, constraint: string, code = 'InvalidInputException'): ApiError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new ApiError(code, `1 validation error detected: Value '${shown}' at '${name}' failed to satisfy constraint: ${constraint}`);
}

/**
 * The model's ARN patterns accept any partition (`arn:([a-z\d-]+):...`), but a resource of another partition cannot
 * exist in the request's region: the emulator refuses it as invalid input, naming both partitions. (AWS does not
 * document which error it answers; InvalidInputException is Personalize's error for a value it cannot use.)
 */
function wrongPartition(name: string, value: string, partition: string, code: string): ApiError {
  return new ApiError(
    code,
    `Invalid ARN '${value}' at '${name}': its partition is '${parseArn(value)?.partition ?? ''}', but the request was made in partition '${partition}'.`,
  );
}

export function serializationError(name: string, expected: string): ApiError {
  return new ApiError('SerializationException', `Unexpected value type for '${name}': expected ${expected}`);
}

/**
 * A JSON object of the request, read member by member. `path` names nested members in messages; `code` is the
 * service's error code for a constraint violation.
 */
export class Input {
  constructor(
    private readonly body: Record<string, unknown>,
    private readonly path = '',
    private readonly code = 'InvalidInputException',
    /** The request's partition, which ARN members must be in (undefined: not checked). */
    private readonly partition?: string,
  ) {}

  private name(member: string): string {
    return this.path ? `${this.path}.${member}` : member;
  }

  raw(member: string): unknown {
    return this.body[member];
  }

  str(member: string, rule: StrRule = {}): string | undefined {
    const v = this.body[member];
    const name = this.name(member);
    if (v === undefined || v === null) {
      if (rule.required) throw invalid(name, null, 'Member must not be null', this.code);
      return undefined;
    }
    if (typeof v !== 'string') throw serializationError(name, 'a string');
    if (rule.min !== undefined && v.length < rule.min) throw invalid(name, v, `Member must have length greater than or equal to ${rule.min}`, this.code);
    if (rule.required && rule.min === undefined && v.length === 0) throw invalid(name, v, 'Member must have length greater than or equal to 1', this.code);
    if (rule.max !== undefined && v.length > rule.max) throw invalid(name, v, `Member must have length less than or equal to ${rule.max}`, this.code);
    if (rule.pattern && !rule.pattern.test(v))
      throw invalid(name, v, `Member must satisfy regular expression pattern: ${rule.patternText ?? rule.pattern.source}`, this.code);
    if (rule.enum && !rule.enum.includes(v)) throw invalid(name, v, `Member must satisfy enum value set: [${rule.enum.join(', ')}]`, this.code);
    if (rule.inPartition && this.partition !== undefined && parseArn(v)?.partition !== this.partition) throw wrongPartition(name, v, this.partition, this.code);
    return v;
  }

  requiredStr(member: string, rule: StrRule = {}): string {
    return this.str(member, { ...rule, required: true })!;
  }

  bool(member: string): boolean | undefined {
    const v = this.body[member];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw serializationError(this.name(member), 'a boolean');
    return v;
  }

  int(member: string, range: { min?: number; max?: number } = {}): number | undefined {
    const v = this.body[member];
    const name = this.name(member);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw serializationError(name, 'an integer');
    if (range.min !== undefined && v < range.min) throw invalid(name, v, `Member must have value greater than or equal to ${range.min}`, this.code);
    if (range.max !== undefined && v > range.max) throw invalid(name, v, `Member must have value less than or equal to ${range.max}`, this.code);
    return v;
  }

  obj(member: string, required = false): Input | undefined {
    const v = this.body[member];
    const name = this.name(member);
    if (v === undefined || v === null) {
      if (required) throw invalid(name, null, 'Member must not be null', this.code);
      return undefined;
    }
    if (typeof v !== 'object' || Array.isArray(v)) throw serializationError(name, 'a structure');
    return new Input(v as Record<string, unknown>, name, this.code, this.partition);
  }

  /** The plain JSON value of a structure member (for storing and echoing back). */
  plain(member: string): Record<string, unknown> | undefined {
    const v = this.body[member];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw serializationError(this.name(member), 'a structure');
    return v as Record<string, unknown>;
  }

  list(member: string, rule: { max?: number; required?: boolean } = {}): unknown[] | undefined {
    const v = this.body[member];
    const name = this.name(member);
    if (v === undefined || v === null) {
      if (rule.required) throw invalid(name, null, 'Member must not be null', this.code);
      return undefined;
    }
    if (!Array.isArray(v)) throw serializationError(name, 'a list');
    if (rule.max !== undefined && v.length > rule.max)
      throw invalid(name, `[${v.length} items]`, `Member must have length less than or equal to ${rule.max}`, this.code);
    return v as unknown[];
  }

  stringMap(member: string, rule: { max?: number; keyMax?: number; valueMax?: number } = {}): Record<string, string> | undefined {
    const v = this.plain(member);
    if (!v) return undefined;
    const name = this.name(member);
    const entries = Object.entries(v);
    if (rule.max !== undefined && entries.length > rule.max)
      throw invalid(name, `{${entries.length} entries}`, `Map must have length less than or equal to ${rule.max}`, this.code);
    for (const [k, val] of entries) {
      if (typeof val !== 'string') throw serializationError(`${name}.${k}`, 'a string');
      if (rule.keyMax !== undefined && k.length > rule.keyMax)
        throw invalid(`${name}`, k, `Map keys must have length less than or equal to ${rule.keyMax}`, this.code);
      if (rule.valueMax !== undefined && val.length > rule.valueMax)
        throw invalid(`${name}.${k}`, val, `Member must have length less than or equal to ${rule.valueMax}`, this.code);
    }
    return v as Record<string, string>;
  }
}

const TAG_PATTERN = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const TAG_PATTERN_TEXT = '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$';

/** Tags: list (max 200) of {tagKey 1..128, tagValue 0..256}, both with the model's pattern. */
export function readTags(input: Input, member = 'tags'): Record<string, string> {
  const list = input.list(member, { max: 200 }) ?? [];
  const out: Record<string, string> = {};
  list.forEach((t, i) => {
    if (typeof t !== 'object' || t === null || Array.isArray(t)) throw serializationError(`${member}.${i + 1}`, 'a structure');
    const tag = new Input(t as Record<string, unknown>, `${member}.${i + 1}.member`);
    const key = tag.requiredStr('tagKey', { min: 1, max: 128, pattern: TAG_PATTERN, patternText: TAG_PATTERN_TEXT });
    const value = tag.requiredStr('tagValue', { min: 0, max: 256, pattern: TAG_PATTERN, patternText: TAG_PATTERN_TEXT });
    if (key.toLowerCase().startsWith('aws:')) throw new ApiError('InvalidInputException', `Tag keys starting with 'aws:' are reserved: ${key}`);
    // defineProperty: a tag key __proto__ must be an entry, not the record's prototype.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  });
  return out;
}

export function readTagKeys(input: Input): string[] {
  const list = input.list('tagKeys', { max: 200, required: true })!;
  return list.map((k, i) => {
    if (typeof k !== 'string') throw serializationError(`tagKeys.${i + 1}`, 'a string');
    if (k.length < 1 || k.length > 128) throw invalid(`tagKeys.${i + 1}.member`, k, 'Member must have length between 1 and 128');
    return k;
  });
}
