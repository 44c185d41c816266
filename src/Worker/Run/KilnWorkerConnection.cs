using Kiln.Api.Auth;
using Kiln.Proofs.Sdr;

namespace Kiln.Worker.Run;

/// <summary>
/// What a kiln-worker needs beside its <see cref="WorkerOptions"/>: the miner it serves (<c>MINER_API_INFO</c>),
/// where the SDR parent cache lives, and how environment variables are read.
/// </summary>
/// <param name="Miner">The miner's API address and token.</param>
/// <param name="ParentCache">The SDR parent cache's directory and checks.</param>
/// <param name="Environment">Reads an environment variable (the resource table's overrides).</param>
public sealed record KilnWorkerConnection(ApiInfo Miner, ParentCacheOptions ParentCache, Func<string, string?> Environment);
