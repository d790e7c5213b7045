/**
 * The lane-id grammar. Each signed-in account of a provider lives in its own lane (see
 * accounts/): the first keeps the bare provider id, further ones are `acme#2`, `acme#3`…
 * Internal, never typed by users and never shown to them: `#` cannot appear in a provider id or
 * an account reference.
 */
export const LANE_SEPARATOR = '#';

/** The part of a lane id after the provider id. */
export const LANE_NUMBER = new RegExp(`^${LANE_SEPARATOR}[0-9]{1,6}$`);

/** The configured provider a lane belongs to. */
export const providerOfLane = (laneId: string) => laneId.split(LANE_SEPARATOR)[0];

/** The lock of one of a provider's shared entries (never a lane's: `#` is followed by letters). */
export const providerLockName = (providerId: string, entry: string) => `${providerId}${LANE_SEPARATOR}${entry}`;
