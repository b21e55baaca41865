// One error type for everything blotter reports to a person: a stable code to search for,
// a message that names the record, file, line or field involved.
export class BlotterError extends Error {
    code;
    constructor(code, message, options) {
        super(message, options);
        this.name = 'BlotterError';
        this.code = code;
    }
}
// PostgreSQL error codes blotter reacts to.
export const PG = {
    UNIQUE_VIOLATION: '23505',
    INSUFFICIENT_PRIVILEGE: '42501',
    EXCLUSION_VIOLATION: '23P01',
    INVALID_TRANSACTION_STATE: '25001',
    SERIALIZATION_FAILURE: '40001',
    DEADLOCK_DETECTED: '40P01',
    LOCK_NOT_AVAILABLE: '55P03',
};
