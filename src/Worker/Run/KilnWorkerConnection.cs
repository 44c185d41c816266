using Kiln.Api.Auth;
using Kiln.Proofs.Sdr;

namespace Kiln.Worker.Run;

/// <summary>
/// What a kiln-worker needs beside its <see cref="WorkerOptions"/>: the miner it serves (<c>MINER_API_INFO</c>),
/// where the SDR parent cache lives, and how environment variables are read.
/// </summary>
/// <param name="Miner">The miner's API address and token (with several miners, the first).</param>
/// <param name="ParentCache">The SDR parent cache's directory and checks.</param>
/// <param name="Environment">Reads an environment variable (the resource table's overrides).</param>
public sealed record KilnWorkerConnection(ApiInfo Miner, ParentCacheOptions ParentCache, Func<string, string?> Environment)
{
    /// <summary>
    /// Several processes of one miner (<c>MINER_API_INFO</c> as a comma-separated list, <c>--miner-api-info</c>
    /// repeated): the worker talks to the first that answers and moves to the next when it is gone.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public KilnWorkerConnection(IReadOnlyList<ApiInfo> miners, ParentCacheOptions parentCache, Func<string, string?> environment)
        : this(First(miners), parentCache, environment)
    {
        Miners = [.. miners];
    }

    /// <summary>Every miner the worker may serve, in the order they are tried; <see cref="Miner"/> alone unless a list was given.</summary>
    public IReadOnlyList<ApiInfo> Miners { get; init; } = [Miner];

    private static ApiInfo First(IReadOnlyList<ApiInfo> miners)
    {
        ArgumentNullException.ThrowIfNull(miners);
        return miners.Count > 0 ? miners[0] : throw new ArgumentException("no miner API address given", nameof(miners));
    }
}
