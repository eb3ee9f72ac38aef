using Clavex.Core.Claims;

namespace Clavex.Tests.Claims;

public class ClaimMappingTests
{
    [Test]
    public void Default_mapping_has_an_empty_rename_table_not_null()
    {
        // Regression: Default was initialised before the private empty table it pointed at, so its GroupRenames
        // was null and the first groups claim under the default mapping threw.
        Assert.That(ClaimMapping.Default.GroupRenames, Is.Not.Null.And.Empty);
    }
}
