/**
 * Secret values for tests of OAuth grants and webhook keys: each distinct and searchable, so that a
 * test can check none of them ever turns up in an error, a log or an output.
 */
export const OLD_ACCESS = 'access-0ld-7f3a9c1e5b2d8f4a6c0e';
export const OLD_REFRESH = 'refresh-0ld-2b8d4f6a0c1e3a5c7e9b';
export const NEW_ACCESS = 'access-n3w-9e1c3a5b7d2f4a6c8e0a';
export const NEW_REFRESH = 'refresh-n3w-4d6f8a0b2c1e3f5a7c9d';
/** A grant another Lambda (or a reconnect) saved meanwhile. */
export const OTHER_ACCESS = 'access-w1nner-5c7e9a1b3d2f4a6c8e0d';
export const OTHER_REFRESH = 'refresh-w1nner-0e8c6a4f2d1b3c5e7a9f';
export const WEBHOOK_KEY = 'whk-private-3a5c7e9b1d0f2a4c6e8a';
