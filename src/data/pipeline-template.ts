import type { Inspection } from './inspect.js';

/**
 * The commented pipeline `segflow init` writes: every choice it made from the data is spelled out where it is
 * made, so the file explains itself and can be edited by hand. It passes `segflow validate` as written.
 */
export interface TemplateOptions {
  name: string;
  /** The source as the pipeline names it: relative to the pipeline file, or an s3:// URL. */
  source: string;
  /** What the user passed, for the header comment. */
  file: string;
  target: 'local' | 'aws';
  region?: string;
  /** schemas/pipeline.schema.json relative to the pipeline file, for editors. */
  schemaPath: string;
  /** budget.maxUsd and the estimate it was chosen from (what the run would cost on AWS, docs/cost.md). */
  budget: { maxUsd: number; estimateUsd: number; queries: number };
}

/** A pipeline name from a file name: lower-case letters, digits and '-', starting with a letter, <= 40 chars. */
export function pipelineNameFor(file: string): string {
  const base = (file.split('/').pop() ?? 'data').replace(/\.(gz|gzip)$/i, '').replace(/\.[^.]*$/, '');
  const slug = base
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug === '' ? 'pipeline' : slug;
}

const yamlString = (s: string) => (/^[A-Za-z0-9_./:*=-]+$/.test(s) && !/^(true|false|null|yes|no|on|off)$/i.test(s) ? s : JSON.stringify(s));

export function renderPipeline(i: Inspection, o: TemplateOptions): string {
  const cols = [`USER_ID: ${yamlString(i.roles.USER_ID!)}`, `ITEM_ID: ${yamlString(i.roles.ITEM_ID!)}`, `TIMESTAMP: ${yamlString(i.roles.TIMESTAMP!)}`];
  if (i.roles.EVENT_TYPE) cols.push(`EVENT_TYPE: ${yamlString(i.roles.EVENT_TYPE)}`);
  const userCol = i.roles.USER_ID!;
  const where = i.userHasNulls ? `${/^[A-Za-z_][A-Za-z0-9_]*$/.test(userCol) ? userCol : `"${userCol.replace(/"/g, '""')}"`} IS NOT NULL` : undefined;
  const lines = [
    `# yaml-language-server: $schema=${o.schemaPath}`,
    `# Written by \`segflow init ${o.file}\`: ${i.rows.toLocaleString('en-US')} rows, ${i.users.toLocaleString('en-US')} users, ${i.items.toLocaleString('en-US')} items,`,
    `# from ${i.minTime} to ${i.maxTime}. Check the guesses below, then: segflow validate, segflow plan, segflow apply.`,
    'version: 1',
    `name: ${o.name}`,
    'target:',
    `  kind: ${o.target}                     # local: the embedded emulator (offline, $0); aws: Amazon Personalize (billed)`,
    ...(o.target === 'aws' ? [`  region: ${o.region ?? 'us-east-1'}                # the AWS region to run in`] : []),
    'data:',
    '  interactions:',
    `    source: ${yamlString(o.source)}`,
    ...(i.format === 'csv' && !/\.(csv|tsv)(\.gz)?$/i.test(o.source) ? [`    format: ${i.format}`] : []),
    ...(i.csv.header === false ? ['    header: false                  # the first line is data, not column names: columns are 1-based positions'] : []),
    ...(i.csv.delimiter !== undefined ? [`    delimiter: ${JSON.stringify(i.csv.delimiter)}`] : []),
    i.csv.header === false
      ? `    # guessed from the values (TIMESTAMP: the column that reads as times; USER_ID, ITEM_ID: the first two others); override with init's --user-column 1, ...`
      : `    # guessed from the column names and types; override with init's --user-column, --item-column, --timestamp-column${i.roles.EVENT_TYPE ? '' : ', --event-type-column'}`,
    `    columns: { ${cols.join(', ')} }`,
    ...(i.timestampFormat ? [`    timestampFormat: ${JSON.stringify(i.timestampFormat)}   # the TIMESTAMP values are not ISO-8601 or epoch`] : []),
    ...(where ? [`    where: ${JSON.stringify(where)}   # some rows have no ${userCol}`] : []),
    '    dedupe: true                   # drop exact duplicate interactions',
    `    minInteractionsPerUser: ${i.minInteractionsPerUser}      # the largest of 4..1 that keeps Personalize's minimums (1,000 interactions, 25 users with 2+)`,
    'split:',
    `  testStart: ${i.testStart}   # 80% of the interactions are before it: train < testStart <= test`,
    '  warmUsersOnly: true',
    'queries:',
    `  items: { sample: ${o.budget.queries}, seed: 10 } # test-period items to ask segments for (at most 500 per job)`,
    'storage:',
    `  bucket: segflow-${o.name}        # created (or adopted) by apply; S3 bucket names are global: rename if taken`,
    `  prefix: ${o.name}/`,
    'recipe: aws-item-affinity          # users for an item; aws-item-attribute-affinity needs data.items',
    'segments:',
    '  numResults: { fractionOfUsers: 0.01 }   # each segment lists the top 1% of training users',
    'budget:',
    `  # On AWS this run would cost at most about $${o.budget.estimateUsd.toFixed(2)}: a batch segment job is billed per user in the`,
    `  # dataset per query (up to ${i.users.toLocaleString('en-US')} users x ${o.budget.queries} queries, fewer after the filters), plus training.`,
    `  maxUsd: ${o.budget.maxUsd}                      # apply refuses a plan whose estimate is higher (see docs/cost.md)`,
    '',
  ];
  return lines.join('\n');
}
