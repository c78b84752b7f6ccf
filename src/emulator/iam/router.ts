import type { QueryOperations } from './handler.js';
import { policyOps } from './policies.js';
import { rolePolicyOps } from './role-policies.js';
import { roleOps } from './roles.js';

export const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const iamOperations: QueryOperations = { ...roleOps, ...rolePolicyOps, ...policyOps };
