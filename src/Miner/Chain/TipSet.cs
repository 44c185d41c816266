using System.Text.Json;
using Kiln.Api.Types;

namespace Kiln.Miner.Chain;

/// <summary>
/// Lotus's tipset JSON (<c>types.ExpTipSet</c>): the block CIDs, which are its key, the block headers (kept as
/// JSON: proving reads none of their fields) and the height.
/// </summary>
public sealed record TipSet(IReadOnlyList<Cid> Cids, IReadOnlyList<JsonElement> Blocks, long Height);
