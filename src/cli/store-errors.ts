import { StoreError } from '../store/index.ts';
import { CliError } from './errors.ts';

/** Turns the store's operational errors into CLI errors with their hint. */
export async function storeErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StoreError) {
      throw new CliError(error.message, error.hint === undefined ? {} : { hint: error.hint });
    }
    throw error;
  }
}
