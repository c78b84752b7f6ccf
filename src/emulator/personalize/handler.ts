import type { Emu, RequestInfo } from '../context.js';
import type { Input } from './validate.js';

/** A Personalize operation: validated input in, output structure (plain JSON) out; failures throw ApiError. */
export type PzHandler = (emu: Emu, input: Input, info: RequestInfo) => Promise<Record<string, unknown>>;
export type PzOperations = Record<string, PzHandler>;
