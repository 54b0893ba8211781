export async function runApi(): Promise<boolean> { return true }
