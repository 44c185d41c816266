namespace Kiln.Api.Chain;

/// <summary>Lotus <c>api.NetworkParams</c> (StateGetNetworkParams): the fields Kiln reads; the others are ignored.</summary>
public sealed record NetworkParams
{
    public string NetworkName { get; init; } = "";

    public ulong BlockDelaySecs { get; init; }

    public long PreCommitChallengeDelay { get; init; }
}
