import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { CallCounter } from '../../aws/call-counter.js';
import type { AwsClients } from '../../aws/clients.js';

/**
 * An in-memory stand-in for Personalize, S3 and IAM, for fast unit tests of the engine's decisions (resume,
 * adoption, no double creation). The real wire protocols are exercised end to end against the emulator in test/.
 * Asynchronous resources become ACTIVE after `describesToActive` describes.
 */
interface PRes {
  type: string;
  name: string;
  arn: string;
  status: string;
  describes: number;
  tags: Array<{ tagKey?: string; tagValue?: string }>;
  input: Record<string, any>;
  created: number;
}

function awsError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

export class FakeWorld {
  readonly region = 'us-east-1';
  readonly account = '000000000000';
  buckets = new Map<string, Map<string, { body: Buffer; metadata: Record<string, string> }>>();
  roles = new Map<string, { arn: string; trust: string; policies: Map<string, string> }>();
  res = new Map<string, PRes>();
  describesToActive = 2;
  /** Operations performed (Create*, Put*, Delete*...) in order. */
  log: string[] = [];
  /** Throw after performing this operation once (simulates a crash between create and record). */
  crashAfter?: string;
  /** Make the next training fail. */
  failTraining = false;
  private seq = 0;

  arn(type: string, id: string): string {
    return `arn:aws:personalize:${this.region}:${this.account}:${type}/${id}`;
  }

  count(type: string): number {
    return [...this.res.values()].filter((r) => r.type === type).length;
  }

  clients(): AwsClients {
    const calls = new CallCounter();
    const mk = (service: string) => ({
      send: async (command: { constructor: { name: string }; input: any }) => {
        const op = command.constructor.name.replace(/Command$/, '');
        calls.add(`${service}:${op}`);
        const out = await this.handle(service, op, command.input ?? {});
        if (this.crashAfter === op) {
          this.crashAfter = undefined;
          throw awsError('InternalFailure', `simulated crash after ${op}`, 500);
        }
        return out;
      },
      destroy() {},
    });
    return {
      personalize: mk('personalize') as never,
      s3: mk('s3') as never,
      iam: mk('iam') as never,
      sts: mk('sts') as never,
      calls,
      region: this.region,
      label: 'fake world',
      accountId: async () => this.account,
      destroy() {},
    };
  }

  private add(type: string, arn: string, name: string, input: Record<string, any>, status = 'CREATE PENDING'): PRes {
    if (this.res.has(arn)) throw awsError('ResourceAlreadyExistsException', `Another resource with Arn ${arn} already exists.`);
    const r: PRes = { type, name, arn, status, describes: 0, tags: input['tags'] ?? [], input, created: ++this.seq };
    this.res.set(arn, r);
    this.log.push(`create ${type} ${name}`);
    return r;
  }

  private get(arn: string): PRes {
    const r = this.res.get(arn);
    if (!r) throw awsError('ResourceNotFoundException', `Resource Arn ${arn} does not exist.`);
    r.describes++;
    if (r.describes >= this.describesToActive) this.progress(r);
    return r;
  }

  private progress(r: PRes): void {
    if (r.status.startsWith('DELETE')) {
      this.res.delete(r.arn);
      if (r.type === 'solution') for (const v of [...this.res.values()]) if (v.type === 'solution-version' && v.input['solutionArn'] === r.arn) this.res.delete(v.arn);
      return;
    }
    if (r.status === 'CREATE STOPPING') {
      r.status = 'CREATE STOPPED';
      return;
    }
    if (!r.status.startsWith('CREATE P') && !r.status.startsWith('CREATE I')) return;
    if (r.type === 'solution-version' && this.failTraining) {
      this.failTraining = false;
      r.status = 'CREATE FAILED';
      r.input['failureReason'] = 'simulated failure';
      return;
    }
    if (r.type === 'dataset-import-job') {
      const [, , bucket, ...key] = String(r.input['dataSource']?.dataLocation).split('/');
      if (!this.buckets.get(bucket!)?.has(key.join('/'))) {
        r.status = 'CREATE FAILED';
        r.input['failureReason'] = 'input not found';
        return;
      }
    }
    if (r.type === 'batch-segment-job') {
      const out = String(r.input['jobOutput'].s3DataDestination.path).replace('s3://', '');
      const [bucket, ...rest] = out.split('/');
      const inputName = String(r.input['jobInput'].s3DataSource.path).split('/').pop();
      const lines = `{"input":{"itemId":"i1"},"output":{"usersList":["u1","u2"]},"error":null}\n`;
      this.buckets.get(bucket!)?.set(`${rest.join('/')}${inputName}.out`, { body: Buffer.from(lines), metadata: {} });
    }
    r.status = 'ACTIVE';
  }

  private del(arn: string, dependants: (r: PRes) => boolean): Record<string, never> {
    const r = this.res.get(arn);
    if (!r) throw awsError('ResourceNotFoundException', `Resource Arn ${arn} does not exist.`);
    if ([...this.res.values()].some(dependants)) throw awsError('ResourceInUseException', `${arn} is in use`);
    r.status = r.type === 'dataset-group' ? 'DELETE PENDING' : 'DELETE IN_PROGRESS';
    r.describes = 0;
    this.log.push(`delete ${r.type} ${r.name}`);
    return {};
  }

  private bucket(name: string) {
    const b = this.buckets.get(name);
    if (!b) throw awsError('NoSuchBucket', `no bucket ${name}`, 404);
    return b;
  }

  private async handle(service: string, op: string, i: any): Promise<any> {
    const p = (type: string) => [...this.res.values()].filter((r) => r.type === type);
    switch (`${service}:${op}`) {
      // ---- S3
      case 's3:HeadBucket':
        this.bucket(i.Bucket);
        return {};
      case 's3:CreateBucket':
        if (this.buckets.has(i.Bucket)) throw awsError('BucketAlreadyOwnedByYou', 'yours', 409);
        this.buckets.set(i.Bucket, new Map());
        this.log.push(`create bucket ${i.Bucket}`);
        return {};
      case 's3:PutPublicAccessBlock':
      case 's3:PutBucketEncryption':
      case 's3:PutBucketPolicy':
      case 's3:PutBucketTagging':
        this.bucket(i.Bucket);
        return {};
      case 's3:HeadObject': {
        const o = this.bucket(i.Bucket).get(i.Key);
        if (!o) throw awsError('NotFound', '', 404);
        return { ContentLength: o.body.length, Metadata: o.metadata };
      }
      case 's3:PutObject':
        this.bucket(i.Bucket).set(i.Key, { body: Buffer.from(i.Body), metadata: i.Metadata ?? {} });
        this.log.push(`put ${i.Key}`);
        return {};
      case 's3:GetObject': {
        const o = this.bucket(i.Bucket).get(i.Key);
        if (!o) throw awsError('NoSuchKey', i.Key, 404);
        return { Body: Readable.from([o.body]) };
      }
      case 's3:ListObjectsV2':
        return { Contents: [...this.bucket(i.Bucket).keys()].filter((k) => !i.Prefix || k.startsWith(i.Prefix)).map((Key) => ({ Key })) };
      case 's3:DeleteObjects':
        for (const o of i.Delete.Objects) this.bucket(i.Bucket).delete(o.Key);
        return {};
      case 's3:DeleteObject':
        this.bucket(i.Bucket).delete(i.Key);
        return {};
      case 's3:DeleteBucket':
        if (this.bucket(i.Bucket).size > 0) throw awsError('BucketNotEmpty', 'not empty', 409);
        this.buckets.delete(i.Bucket);
        this.log.push(`delete bucket ${i.Bucket}`);
        return {};
      // ---- IAM
      case 'iam:GetRole': {
        const r = this.roles.get(i.RoleName);
        if (!r) throw awsError('NoSuchEntity', `role ${i.RoleName}`, 404);
        return { Role: { Arn: r.arn, RoleName: i.RoleName } };
      }
      case 'iam:CreateRole':
        if (this.roles.has(i.RoleName)) throw awsError('EntityAlreadyExists', 'exists', 409);
        this.roles.set(i.RoleName, { arn: `arn:aws:iam::${this.account}:role/${i.RoleName}`, trust: i.AssumeRolePolicyDocument, policies: new Map() });
        this.log.push(`create role ${i.RoleName}`);
        return { Role: { Arn: this.roles.get(i.RoleName)!.arn } };
      case 'iam:UpdateAssumeRolePolicy':
        return {};
      case 'iam:PutRolePolicy':
        this.roles.get(i.RoleName)!.policies.set(i.PolicyName, i.PolicyDocument);
        return {};
      case 'iam:ListRolePolicies': {
        const r = this.roles.get(i.RoleName);
        if (!r) throw awsError('NoSuchEntity', 'no role', 404);
        return { PolicyNames: [...r.policies.keys()] };
      }
      case 'iam:DeleteRolePolicy':
        this.roles.get(i.RoleName)?.policies.delete(i.PolicyName);
        return {};
      case 'iam:DeleteRole': {
        const r = this.roles.get(i.RoleName);
        if (!r) throw awsError('NoSuchEntity', 'no role', 404);
        if (r.policies.size) throw awsError('DeleteConflict', 'policies attached', 409);
        this.roles.delete(i.RoleName);
        this.log.push(`delete role ${i.RoleName}`);
        return {};
      }
      // ---- Personalize
      case 'personalize:CreateDatasetGroup':
        return { datasetGroupArn: this.add('dataset-group', this.arn('dataset-group', i.name), i.name, i).arn };
      case 'personalize:DescribeDatasetGroup': {
        const r = this.get(i.datasetGroupArn);
        return { datasetGroup: { name: r.name, datasetGroupArn: r.arn, status: r.status } };
      }
      case 'personalize:ListDatasetGroups':
        return { datasetGroups: p('dataset-group').map((r) => ({ name: r.name, datasetGroupArn: r.arn, status: r.status })) };
      case 'personalize:DeleteDatasetGroup':
        return this.del(i.datasetGroupArn, (r) => (r.type === 'dataset' || r.type === 'solution') && r.input['datasetGroupArn'] === i.datasetGroupArn);
      case 'personalize:CreateSchema':
        return { schemaArn: this.add('schema', this.arn('schema', i.name), i.name, i, 'ACTIVE').arn };
      case 'personalize:DescribeSchema': {
        const r = this.get(i.schemaArn);
        return { schema: { name: r.name, schemaArn: r.arn, schema: r.input['schema'] } };
      }
      case 'personalize:ListSchemas':
        return { schemas: p('schema').map((r) => ({ name: r.name, schemaArn: r.arn })) };
      case 'personalize:DeleteSchema': {
        if (!this.res.has(i.schemaArn)) throw awsError('ResourceNotFoundException', 'no schema');
        if (p('dataset').some((d) => d.input['schemaArn'] === i.schemaArn)) throw awsError('ResourceInUseException', 'in use');
        this.res.delete(i.schemaArn);
        this.log.push(`delete schema ${i.schemaArn}`);
        return {};
      }
      case 'personalize:CreateDataset': {
        const g = this.res.get(i.datasetGroupArn);
        if (!g || g.status !== 'ACTIVE') throw awsError('ResourceInUseException', 'group not active');
        return { datasetArn: this.add('dataset', this.arn('dataset', `${g.name}/${String(i.datasetType).toUpperCase()}`), i.name, i).arn };
      }
      case 'personalize:DescribeDataset': {
        const r = this.get(i.datasetArn);
        return { dataset: { name: r.name, datasetArn: r.arn, status: r.status, schemaArn: r.input['schemaArn'], creationDateTime: new Date(r.created * 1000) } };
      }
      case 'personalize:ListDatasets':
        return { datasets: p('dataset').filter((r) => r.input['datasetGroupArn'] === i.datasetGroupArn).map((r) => ({ name: r.name, datasetArn: r.arn, status: r.status })) };
      case 'personalize:DeleteDataset':
        return this.del(i.datasetArn, () => false);
      case 'personalize:CreateDatasetImportJob':
        return { datasetImportJobArn: this.add('dataset-import-job', this.arn('dataset-import-job', i.jobName), i.jobName, i).arn };
      case 'personalize:DescribeDatasetImportJob': {
        const r = this.get(i.datasetImportJobArn);
        return { datasetImportJob: { jobName: r.name, datasetImportJobArn: r.arn, status: r.status, failureReason: r.input['failureReason'], creationDateTime: new Date(r.created * 1000) } };
      }
      case 'personalize:ListDatasetImportJobs':
        return { datasetImportJobs: p('dataset-import-job').filter((r) => !i.datasetArn || r.input['datasetArn'] === i.datasetArn).map((r) => ({ jobName: r.name, datasetImportJobArn: r.arn, status: r.status })) };
      case 'personalize:CreateSolution':
        return { solutionArn: this.add('solution', this.arn('solution', i.name), i.name, i).arn };
      case 'personalize:DescribeSolution': {
        const r = this.get(i.solutionArn);
        return { solution: { name: r.name, solutionArn: r.arn, status: r.status, recipeArn: r.input['recipeArn'], performAutoTraining: r.input['performAutoTraining'], solutionConfig: r.input['solutionConfig'] } };
      }
      case 'personalize:ListSolutions':
        return { solutions: p('solution').filter((r) => r.input['datasetGroupArn'] === i.datasetGroupArn).map((r) => ({ name: r.name, solutionArn: r.arn, status: r.status })) };
      case 'personalize:DeleteSolution':
        return this.del(i.solutionArn, (r) => r.type === 'solution-version' && r.input['solutionArn'] === i.solutionArn && r.status.startsWith('CREATE I'));
      case 'personalize:CreateSolutionVersion': {
        const s = this.res.get(i.solutionArn);
        if (!s || s.status !== 'ACTIVE') throw awsError('ResourceInUseException', 'solution not active');
        const arn = `${i.solutionArn}/${randomBytes(4).toString('hex')}`;
        return { solutionVersionArn: this.add('solution-version', arn, arn, i).arn };
      }
      case 'personalize:DescribeSolutionVersion': {
        const r = this.get(i.solutionVersionArn);
        return { solutionVersion: { solutionVersionArn: r.arn, status: r.status, trainingHours: 0.01, failureReason: r.input['failureReason'] } };
      }
      case 'personalize:ListSolutionVersions':
        if (!this.res.has(i.solutionArn)) throw awsError('ResourceNotFoundException', 'no solution');
        return {
          solutionVersions: p('solution-version')
            .filter((r) => r.input['solutionArn'] === i.solutionArn)
            .map((r) => ({ solutionVersionArn: r.arn, status: r.status, creationDateTime: new Date(r.created * 1000) })),
        };
      case 'personalize:StopSolutionVersionCreation': {
        const r = this.get(i.solutionVersionArn);
        r.status = 'CREATE STOPPING';
        return {};
      }
      case 'personalize:GetSolutionMetrics':
        return { metrics: { coverage: 0.5, hits_at_1_percent: 1.5, recall_at_1_percent: 0.1 } };
      case 'personalize:CreateBatchSegmentJob':
        return { batchSegmentJobArn: this.add('batch-segment-job', this.arn('batch-segment-job', i.jobName), i.jobName, i).arn };
      case 'personalize:DescribeBatchSegmentJob': {
        const r = this.get(i.batchSegmentJobArn);
        return { batchSegmentJob: { jobName: r.name, batchSegmentJobArn: r.arn, status: r.status, numResults: r.input['numResults'], jobOutput: r.input['jobOutput'] } };
      }
      case 'personalize:ListBatchSegmentJobs':
        return { batchSegmentJobs: p('batch-segment-job').map((r) => ({ jobName: r.name, batchSegmentJobArn: r.arn, status: r.status, solutionVersionArn: r.input['solutionVersionArn'] })) };
      case 'personalize:ListTagsForResource': {
        const r = this.res.get(i.resourceArn);
        if (!r) throw awsError('ResourceNotFoundException', 'no resource');
        return { tags: r.tags };
      }
      default:
        throw new Error(`fake world: unsupported ${service}:${op}`);
    }
  }
}
