namespace Kiln.Api.Chain;

/// <summary>Lotus <c>api.NetworkParams</c> (StateGetNetworkParams): the fields Kiln reads; the others are ignored.</summary>
public sealed record NetworkParams
{
    /// <summary>The network's name ("mainnet", "calibrationnet", a devnet's).</summary>
    public string NetworkName { get; init; } = "";

    /// <summary>Seconds per epoch.</summary>
    public ulong BlockDelaySecs { get; init; }

    /// <summary>Epochs between a precommit landing and its seed.</summary>
    public long PreCommitChallengeDelay { get; init; }
}
