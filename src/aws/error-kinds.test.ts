import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from './errors.js';
import { codeOf, kindOf, toAwsError } from './error-kinds.js';

test('kindOf: codes first, the HTTP status only for codes it does not know', () => {
  const cases: Array<[string, number | undefined, string]> = [
    ['ResourceNotFoundException', 400, 'not-found'],
    ['NoSuchEntity', 404, 'not-found'],
    ['NoSuchTagSet', 404, 'not-found'],
    ['NotFoundException', 400, 'not-found'],
    ['ResourceAlreadyExistsException', 400, 'already-exists'],
    ['EntityAlreadyExists', 409, 'already-exists'],
    ['BucketAlreadyExists', 409, 'already-exists'],
    ['ResourceInUseException', 400, 'in-use'],
    ['DeleteConflict', 409, 'in-use'],
    ['BucketNotEmpty', 409, 'in-use'],
    ['LimitExceededException', 400, 'limit-exceeded'],
    ['LimitExceeded', 409, 'limit-exceeded'],
    ['ThrottlingException', 400, 'throttled'],
    ['SlowDown', 503, 'throttled'],
    ['AccessDenied', 403, 'access-denied'],
    ['AccessDeniedException', 400, 'access-denied'],
    ['UnrecognizedClientException', 400, 'access-denied'],
    ['InvalidInputException', 400, 'invalid-input'],
    ['ValidationError', 400, 'invalid-input'],
    ['PreconditionFailed', 412, 'precondition-failed'],
    ['ConditionalRequestConflict', 409, 'conflict'],
    ['OperationAborted', 409, 'conflict'],
    ['ExpiredToken', 400, 'expired-credentials'],
    ['ExpiredTokenException', 400, 'expired-credentials'],
    ['RequestExpired', 400, 'expired-credentials'],
    ['CredentialsProviderError', undefined, 'expired-credentials'],
    ['Forbidden', 403, 'access-denied'],
    ['SomethingNew', 403, 'access-denied'],
    ['SomethingNew', 404, 'not-found'],
    ['SomethingNew', 429, 'throttled'],
    ['InternalFailure', 500, 'other'],
    ['ECONNRESET', undefined, 'other'],
  ];
  for (const [code, status, kind] of cases) assert.equal(kindOf(code, status), kind, `${code} ${status}`);
});

test('codeOf: the wire code, a network code, or a name for a bodiless status', () => {
  // IAM/STS errors carry the wire code beside a longer class name.
  assert.deepEqual(codeOf(Object.assign(new Error('no role'), { name: 'NoSuchEntityException', Code: 'NoSuchEntity', $metadata: { httpStatusCode: 404 } })), {
    code: 'NoSuchEntity',
    message: 'no role',
    status: 404,
  });
  // A HEAD 403 has no body: the SDK calls it Unknown with the message UnknownError.
  assert.deepEqual(codeOf(Object.assign(new Error('UnknownError'), { name: 'Unknown', $metadata: { httpStatusCode: 403 } })), {
    code: 'Forbidden',
    message: 'Forbidden',
    status: 403,
  });
  assert.deepEqual(codeOf(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })), { code: 'ECONNRESET', message: 'socket hang up' });
  assert.deepEqual(codeOf('weird'), { code: 'Error', message: 'weird' });
});

test('toAwsError keeps the SDK error as the cause and passes AwsErrors through', () => {
  const sdk = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
  const e = toAwsError('personalize', 'ListRecipes', sdk);
  assert.equal(e.kind, 'expired-credentials');
  assert.equal(e.cause, sdk);
  assert.equal(e.message, 'personalize ListRecipes: CredentialsProviderError: Could not load credentials from any providers');
  const already = new AwsError('s3', 'PutObject', 'PreconditionFailed', 'no', 'precondition-failed', 412);
  assert.equal(toAwsError('iam', 'GetRole', already), already);
});
