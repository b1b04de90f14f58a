/** An error shaped like an AWS SDK service exception (`name`, message, `$fault`). */
export function awsError(name: string, message = name, fault?: "client" | "server"): Error {
  const error = new Error(message);
  error.name = name;
  Object.assign(error, { $fault: fault });
  return error;
}
