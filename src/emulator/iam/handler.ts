import type { Emu, RequestInfo } from '../context.js';
import type { XmlNode } from '../xml.js';
import type { Params } from './query-protocol.js';

/** A query-protocol action: parameters in, the <ActionResult> content out (undefined: no result element). */
export type QueryHandler = (emu: Emu, params: Params, info: RequestInfo) => Promise<XmlNode[] | undefined>;
export type QueryOperations = Record<string, QueryHandler>;
