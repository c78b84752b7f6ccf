import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateDatasetGroupCommand, CreateFilterCommand, DescribeDatasetGroupCommand } from '@aws-sdk/client-personalize';
import { waitFor, withEmulator } from '../../test/support/emulator.js';

/**
 * CreateFilter refuses what Personalize's filter guidelines rule out, though the grammar parses it
 * (spec/filter-limits.ts): one dataset per AND/OR chain, 5 distinct fields per filter, no NOT IN with a
 * placeholder, 10 distinct fields across a dataset group's filters.
 */
test('CreateFilter refuses chains over two datasets, a sixth field, NOT IN with a placeholder, and an eleventh field in the group', async () => {
  await withEmulator(async (_e, c) => {
    const datasetGroupArn = (await c.personalize.send(new CreateDatasetGroupCommand({ name: 'filters' }))).datasetGroupArn!;
    await waitFor(
      () => c.personalize.send(new DescribeDatasetGroupCommand({ datasetGroupArn })),
      (d) => d.datasetGroup?.status === 'ACTIVE',
      'dataset group',
    );
    const create = (name: string, filterExpression: string) => c.personalize.send(new CreateFilterCommand({ name, datasetGroupArn, filterExpression }));
    const refused = (pattern: RegExp) => (e: Error) => e.name === 'InvalidInputException' && pattern.test(e.message);
    await assert.rejects(
      create('a', 'INCLUDE UserID WHERE Users.A IN ("x") AND Interactions.EVENT_TYPE IN ("y")'),
      refused(/can only affect fields of the dataset used in the first condition/),
    );
    await assert.rejects(
      create('b', 'EXCLUDE ItemID WHERE Items.A IN ("x") OR Interactions.EVENT_TYPE IN ("y")'),
      refused(/chained with AND\/OR to a condition on Items/),
    );
    await assert.rejects(
      create(
        'c',
        'INCLUDE UserID WHERE Users.A IN ("1") AND Users.B IN ("2") AND Users.C IN ("3") | INCLUDE UserID WHERE Users.D IN ("4") AND Users.E IN ("5") AND Users.F IN ("6")',
      ),
      refused(/6 distinct dataset fields .*at most 5 per filter/),
    );
    await assert.rejects(create('d', 'EXCLUDE UserID WHERE Users.A NOT IN ($V)'), refused(/NOT IN with a \$placeholder/));
    // Two expressions, one dataset each: fine, and so is a placeholder with IN, and five fields.
    await create('ok1', 'INCLUDE UserID WHERE Users.A IN ("x") | EXCLUDE UserID WHERE Interactions.EVENT_TYPE IN ($E)');
    await create('ok2', 'INCLUDE UserID WHERE Users.B IN ("1") AND Users.C IN ("2") AND Users.D IN ("3") AND Users.E IN ("4") AND Users.F IN ("5")');
    // The group now reads A, B, C, D, E, F and EVENT_TYPE (7 fields): four more would make 11.
    await create('ok3', 'INCLUDE UserID WHERE Users.G IN ("1") AND Users.H IN ("2") AND Users.I IN ("3")');
    await assert.rejects(
      create('over', 'INCLUDE UserID WHERE Users.J IN ("1")'),
      (e: Error) =>
        e.name === 'LimitExceededException' && /11 distinct dataset fields; the maximum across all filters in a dataset group is 10/.test(e.message),
    );
  });
});
