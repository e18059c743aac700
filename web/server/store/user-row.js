// A user as both stores answer it: {username, display_name, password_hash, roles, stores}, with the
// JSON columns roles and stores parsed (store/README.md, `users`).
export function userOf(username, displayName, passwordHash, roles, stores) {
  return { username, display_name: displayName, password_hash: passwordHash, roles: JSON.parse(roles), stores: JSON.parse(stores) };
}

// The same from a row object with those columns, or null for no row.
export const userFromRow = (row) => (row ? userOf(row.username, row.display_name, row.password_hash, row.roles, row.stores) : null);
