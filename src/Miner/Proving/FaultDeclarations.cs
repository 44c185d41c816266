using Kiln.Api.Chain;
using Kiln.Api.Types;

namespace Kiln.Miner.Proving;

/// <summary>
/// What <see cref="FaultDeclarer"/> declared for one deadline: the recoveries and faults with their messages, and each
/// sector found bad with the reason.
/// </summary>
public sealed record FaultDeclarations(
    int Deadline,
    IReadOnlyList<RecoveryDeclaration> Recoveries,
    IReadOnlyList<Cid> RecoveryMessages,
    IReadOnlyList<FaultDeclaration> Faults,
    IReadOnlyList<Cid> FaultMessages,
    IReadOnlyDictionary<ulong, string> Bad);
