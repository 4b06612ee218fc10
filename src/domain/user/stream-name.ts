/** Stream names are a contract shared by every event store: `user-<userId>`. */
export const userStream = (userId: string): string => `user-${userId}`;

const USER_STREAM = /^user-(.+)$/;

/** The user a `user-<userId>` stream belongs to; undefined for any other stream. */
export const userStreamOwner = (stream: string): string | undefined => USER_STREAM.exec(stream)?.[1];
