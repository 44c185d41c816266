namespace Kiln.Testing.Chain;

/// <summary>A DeclareFaultsRecovered (method 11) message as the stand-in decoded it at push.
/// Params: The raw params bytes.
/// </summary>
public sealed record DecodedRecoveryDeclarations(string MessageCid, string From, string To, byte[] Params, IReadOnlyList<DecodedDeclaration> Declarations);
