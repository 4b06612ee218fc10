/** Stream names are a contract shared by every event store: `rules-<userId>`. */
export const rulesStream = (userId: string): string => `rules-${userId}`;

const RULES_STREAM = /^rules-(.+)$/;

/** The user a `rules-<userId>` stream belongs to; undefined for any other stream. */
export const rulesStreamOwner = (stream: string): string | undefined => RULES_STREAM.exec(stream)?.[1];
