using System.Text.Json.Serialization;
using Kiln.Api.Types.Json;

namespace Kiln.Api.Types;

/// <summary>
/// go-state-types <c>abi.RegisteredPoStProof</c> (int64): a JSON number. Window PoSt V1_1 (10..14) is
/// the one in use from network version 19.
/// </summary>
[JsonConverter(typeof(GoEnumConverter<RegisteredPoStProof>))]
public enum RegisteredPoStProof : long
{
    StackedDrgWinning2KiBV1 = 0,
    StackedDrgWinning8MiBV1 = 1,
    StackedDrgWinning512MiBV1 = 2,
    StackedDrgWinning32GiBV1 = 3,
    StackedDrgWinning64GiBV1 = 4,
    StackedDrgWindow2KiBV1 = 5,
    StackedDrgWindow8MiBV1 = 6,
    StackedDrgWindow512MiBV1 = 7,
    StackedDrgWindow32GiBV1 = 8,
    StackedDrgWindow64GiBV1 = 9,
    StackedDrgWindow2KiBV1_1 = 10,
    StackedDrgWindow8MiBV1_1 = 11,
    StackedDrgWindow512MiBV1_1 = 12,
    StackedDrgWindow32GiBV1_1 = 13,
    StackedDrgWindow64GiBV1_1 = 14,
}
