// `blotter users`: the console's people, through the owner's functions in schema console
// (db/functions/500_console.sql). The password is made and hashed here and printed once;
// the database keeps only the hash, and the console asks for a new one at the first sign-in.
import type postgres from 'postgres';
import { BlotterError, PG } from '../errors.ts';
import { hashPassword, newPassword } from './password.ts';

export const ROLES = ['viewer', 'reviewer', 'admin'] as const;
const UNIQUE_VIOLATION = '23505';
const NO_DATA_FOUND = 'P0002';
const INVALID_PARAMETER_VALUE = '22023';

function said(err: unknown): never {
  const e = err as Error & { code?: string };
  const message = e.message.replace(/^console\.\w+: /, '');
  if (e.code === PG.INSUFFICIENT_PRIVILEGE) throw new BlotterError('NOT_OWNER', 'permission denied: people are added by the database owner (the user that runs blotter migrate)', { cause: err });
  if (e.code === UNIQUE_VIOLATION) throw new BlotterError('USER_EXISTS', `${message} (blotter users reset NAME gives a new one-time password)`, { cause: err });
  if (e.code === NO_DATA_FOUND) throw new BlotterError('USER_UNKNOWN', message, { cause: err });
  if (e.code === INVALID_PARAMETER_VALUE) throw new BlotterError('USER_INVALID', message, { cause: err });
  throw err;
}

export async function addUser(sql: postgres.Sql, name: string, role: string): Promise<string> {
  const password = newPassword();
  const hash = await hashPassword(password);
  await sql`select console.add_user(${name}, ${role}, ${hash})`.catch(said);
  return password;
}

export async function resetUser(sql: postgres.Sql, name: string): Promise<string> {
  const password = newPassword();
  await sql`select console.reset_user(${name}, ${await hashPassword(password)})`.catch(said);
  return password;
}

export async function disableUser(sql: postgres.Sql, name: string): Promise<void> {
  await sql`select console.disable_user(${name})`.catch(said);
}

export type UserRow = { name: string; role: string; must_change_password: boolean; created_at: string; created_by: string; disabled_at: string | null };

export async function listUsers(sql: postgres.Sql): Promise<UserRow[]> {
  const rows = await sql`
    select name, role, must_change_password, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as created_at, created_by,
           to_char(disabled_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as disabled_at
      from console.user_list order by name`.catch(said);
  return rows as unknown as UserRow[];
}
