import type { QueryOperations } from './handler.js';
import { policyOps } from './policies.js';
import { rolePolicyOps } from './role-policies.js';
import { roleOps } from './roles.js';
import { boundaryOps } from './boundaries.js';
import { simulateOps } from './simulate.js';

export const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
export const iamOperations: QueryOperations = { ...roleOps, ...rolePolicyOps, ...policyOps, ...boundaryOps, ...simulateOps };
