/** ping (BEP 5): answer with our id. */
import type { Handler } from './context.ts';

export const answerPing: Handler<'ping'> = (context) => ({ y: 'r', result: { id: context.id } });
