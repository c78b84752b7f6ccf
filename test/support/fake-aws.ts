/**
 * FakeAws: the ports (src/aws/ports.ts) as plain in-memory objects, for fast unit tests of the engine. No SDK, no
 * HTTP. It keeps the adapters' conventions (absence is undefined, deletes of absent things resolve, lists of an
 * absent parent are empty) and raises the same AwsError kinds and codes; test/support/fake-aws.test.ts runs one
 * scenario list against it and against the SDK adapters on the emulator to keep it honest.
 *
 * Hooks for tests (all public fields):
 *   describesToActive  describes until CREATE PENDING becomes ACTIVE, and DELETE PENDING becomes gone (default 2)
 *   crashAfter         "CreateSolutionVersion" / "s3:PutObject": the next such call takes effect, then throws
 *                      AwsError ECONNRESET (kind other), as if the connection dropped before the answer
 *   failTraining       true or a reason: the next solution version ends CREATE FAILED ("simulated failure")
 *   failNext(op, code) the next call of op throws that AWS error before doing anything (throttling, expired
 *                      credentials, a quota...); failCreate(type, reason) for any resource type
 *   quotas             Personalize quotas (5 dataset groups, ...), as AWS's defaults
 *   foreignBuckets     bucket names another account owns (HEAD forbidden, CreateBucket BucketAlreadyExists)
 *   identity           what GetCallerIdentity answers
 *   segmentUsers, metrics, trainingHours   what segment jobs write, GetSolutionMetrics and training report
 *   attachRolePolicy, enableVersioning, addKey   state the ports cannot create (someone else's doing)
 *   log, count(type), calls   what changed, how many resources of a type exist, SDK-equivalent call counts
 *   res, buckets, roles, keys   the state itself, to read or change out of band (drift)
 */
import { CallCounter } from '../../src/aws/call-counter.js';
import { partitionOf } from '../../src/aws/partition.js';
import type { AwsPorts, IamPort, KmsPort, PersonalizePort, S3Port, StsPort } from '../../src/aws/ports.js';
import { FakeCore } from './fake-aws/core.js';
import { FakeIam, FakeKms, FakeSts } from './fake-aws/iam.js';
import { fakePersonalizePort } from './fake-aws/personalize.js';
import { PersonalizeWorld, type ResourceType } from './fake-aws/personalize-world.js';
import { FakeS3 } from './fake-aws/s3.js';

export type { FakeResource, ResourceType, Quotas } from './fake-aws/personalize-world.js';
export type { FakeBucket, FakeObject } from './fake-aws/s3.js';
export type { FakeRole, FakeKey } from './fake-aws/iam.js';

export interface FakeAwsOptions {
  region?: string;
  account?: string;
  describesToActive?: number;
}

export class FakeAws implements AwsPorts {
  readonly region: string;
  readonly partition: string;
  readonly account: string;
  readonly label = 'fake aws';
  readonly personalize: PersonalizePort;
  readonly s3: S3Port;
  readonly iam: IamPort;
  readonly sts: StsPort;
  readonly kms: KmsPort;
  readonly core = new FakeCore();
  readonly personalizeWorld: PersonalizeWorld;
  readonly s3World: FakeS3;
  readonly iamWorld: FakeIam;
  readonly stsWorld: FakeSts;
  readonly kmsWorld: FakeKms;

  constructor(options: FakeAwsOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '000000000000';
    this.partition = partitionOf(this.region);
    this.s3World = new FakeS3(this.core, this.region);
    this.iamWorld = new FakeIam(this.core, this.partition, this.account);
    this.stsWorld = new FakeSts(this.core, this.partition, this.account);
    this.kmsWorld = new FakeKms(this.core, this.partition, this.region, this.account);
    this.personalizeWorld = new PersonalizeWorld(this.core, this.s3World, this.iamWorld, `arn:${this.partition}:personalize:${this.region}:${this.account}:`);
    if (options.describesToActive !== undefined) this.personalizeWorld.describesToActive = options.describesToActive;
    this.personalize = fakePersonalizePort(this.personalizeWorld);
    this.s3 = this.s3World.port();
    this.iam = this.iamWorld.port();
    this.sts = this.stsWorld.port();
    this.kms = this.kmsWorld.port();
  }

  get calls(): CallCounter {
    return this.core.calls;
  }

  close(): void {}

  /** A fresh call count, as each command's own clients have (the engine reports calls per command). */
  newSession(): this {
    this.core.calls = new CallCounter();
    return this;
  }

  // ---------------------------------------------------------------- hooks

  get describesToActive(): number {
    return this.personalizeWorld.describesToActive;
  }
  set describesToActive(n: number) {
    this.personalizeWorld.describesToActive = n;
  }

  get crashAfter(): string | undefined {
    return this.core.crashAfter;
  }
  set crashAfter(operation: string | undefined) {
    this.core.crashAfter = operation;
  }

  /** true (or a reason): the next solution version to finish ends CREATE FAILED. */
  get failTraining(): boolean | string {
    return this.personalizeWorld.failNext.get('solution-version') ?? false;
  }
  set failTraining(reason: boolean | string) {
    if (reason === false) this.personalizeWorld.failNext.delete('solution-version');
    else this.personalizeWorld.failNext.set('solution-version', reason === true ? 'simulated failure' : reason);
  }

  /** The next resource of this type to finish ends CREATE FAILED with `reason`. */
  failCreate(type: ResourceType, reason = 'simulated failure'): void {
    this.personalizeWorld.failNext.set(type, reason);
  }

  failNext(operation: string, code: string, options?: { message?: string; status?: number; times?: number }): void {
    this.core.failNext(operation, code, options);
  }

  get quotas() {
    return this.personalizeWorld.quotas;
  }

  get log(): string[] {
    return this.core.log;
  }

  get foreignBuckets(): Set<string> {
    return this.s3World.foreignBuckets;
  }

  get identity() {
    return this.stsWorld.identity;
  }
  set identity(identity: { account: string; arn: string }) {
    this.stsWorld.identity = identity;
  }

  get segmentUsers(): string[] {
    return this.personalizeWorld.segmentUsers;
  }
  set segmentUsers(users: string[]) {
    this.personalizeWorld.segmentUsers = users;
  }

  get metrics(): Record<string, number> {
    return this.personalizeWorld.metrics;
  }
  set metrics(metrics: Record<string, number>) {
    this.personalizeWorld.metrics = metrics;
  }

  get trainingHours(): number {
    return this.personalizeWorld.trainingHours;
  }
  set trainingHours(hours: number) {
    this.personalizeWorld.trainingHours = hours;
  }

  attachRolePolicy(roleName: string, policyArn: string): void {
    this.iamWorld.attachRolePolicy(roleName, policyArn);
  }

  enableVersioning(bucket: string): void {
    this.s3World.enableVersioning(bucket);
  }

  addKey(options?: Parameters<FakeKms['addKey']>[0]) {
    return this.kmsWorld.addKey(options);
  }

  // ---------------------------------------------------------------- state, for tests to read and change

  get res() {
    return this.personalizeWorld.res;
  }
  get buckets() {
    return this.s3World.buckets;
  }
  get roles() {
    return this.iamWorld.roles;
  }
  get keys() {
    return this.kmsWorld.keys;
  }

  /** arn:<partition>:personalize:<region>:<account>:<type>/<id> */
  arn(type: string, id: string): string {
    return this.personalizeWorld.arn(type, id);
  }

  /** Resources of a type that exist (deleting ones included until they are gone). */
  count(type: ResourceType): number {
    return this.personalizeWorld.all(type).length;
  }
}
