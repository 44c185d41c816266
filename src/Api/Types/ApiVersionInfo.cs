namespace Kiln.Api.Types;

/// <summary>
/// Lotus <c>api.APIVersion</c>, the miner's <c>Version</c> answer: build version text, <see cref="ApiVersion"/>
/// (66816 for a miner), block delay in seconds and the agent name.
/// </summary>
public sealed record ApiVersionInfo(string Version, ApiVersion APIVersion, ulong BlockDelay, string Agent);
