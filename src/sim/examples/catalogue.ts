/**
 * The product catalogue behind the example stores: realistic US convenience-store items with prices in cents and
 * unit weights in grams (package included). Flavours of one line share a size, so their weights sit within a few
 * per cent of each other: the look-alikes the weight stage must tell apart.
 */
import type { Product } from '../../store/schema.ts';
import type { Rng } from '../random.ts';

export type Aisle = 'drinks' | 'dairy' | 'fresh' | 'alcohol' | 'snacks' | 'candy' | 'grocery' | 'household' | 'care';

export interface CatalogueItem extends Product {
  aisle: Aisle;
  /** Footprint along the shelf in metres, to size plates and capacities. */
  width: number;
}

/** A product line: every variant in one size. `grams` is the package weight; `light` variants (diet) weigh less. */
interface Line {
  aisle: Aisle;
  size: string;
  grams: number;
  price: number;
  width: number;
  variants: string[];
  /** Relative weight spread between units: packaged ~0.6 %, fresh food several per cent. */
  spread?: number;
  light?: string[];
  age?: boolean;
}

const L = (
  aisle: Aisle,
  size: string,
  grams: number,
  price: number,
  width: number,
  variants: string[],
  extra: Partial<Line> = {},
): Line => ({ aisle, size, grams, price, width, variants, ...extra });

const LINES: Line[] = [
  L(
    'drinks',
    '12 fl oz can',
    383,
    179,
    0.07,
    [
      'Coca-Cola Classic',
      'Coca-Cola Zero Sugar',
      'Diet Coke',
      'Sprite',
      'Fanta Orange',
      'Dr Pepper',
      'Pepsi',
      'Pepsi Zero Sugar',
      'Mountain Dew',
      'Canada Dry Ginger Ale',
    ],
    { light: ['Coca-Cola Zero Sugar', 'Diet Coke', 'Pepsi Zero Sugar'] },
  ),
  L(
    'drinks',
    '20 fl oz bottle',
    640,
    249,
    0.075,
    ['Coca-Cola Classic', 'Diet Coke', 'Coca-Cola Zero Sugar', 'Sprite', 'Pepsi', 'Mountain Dew', 'Dr Pepper'],
    { light: ['Diet Coke', 'Coca-Cola Zero Sugar'] },
  ),
  L('drinks', '2 L bottle', 2180, 349, 0.11, ['Coca-Cola Classic', 'Pepsi', 'Sprite']),
  L('drinks', '16.9 fl oz', 522, 199, 0.07, ['Dasani Water', 'Poland Spring Water', 'Evian Water', 'Fiji Water']),
  L('drinks', '1 L', 1055, 349, 0.09, ['Smartwater', 'Evian Water', 'Essentia Water']),
  L('drinks', '12 fl oz can', 370, 129, 0.07, ['LaCroix Lime', 'LaCroix Pamplemousse', 'LaCroix Pure', 'Bubly Cherry']),
  L('drinks', '8.4 fl oz can', 274, 329, 0.055, ['Red Bull Energy Drink', 'Red Bull Sugarfree'], {
    light: ['Red Bull Sugarfree'],
  }),
  L(
    'drinks',
    '16 fl oz can',
    515,
    349,
    0.07,
    ['Monster Energy', 'Monster Zero Ultra', 'Rockstar Original', 'Celsius Sparkling Orange', 'Celsius Kiwi Guava'],
    { light: ['Monster Zero Ultra', 'Celsius Sparkling Orange', 'Celsius Kiwi Guava'] },
  ),
  L('drinks', '12 fl oz', 395, 299, 0.07, ['Tropicana Orange Juice', 'Tropicana Apple Juice', 'Simply Lemonade']),
  L('drinks', '15.2 fl oz', 490, 449, 0.075, ['Naked Green Machine', 'Naked Mighty Mango', 'Naked Blue Machine']),
  L('drinks', '18.5 fl oz', 590, 249, 0.075, [
    'Gold Peak Sweet Tea',
    'Pure Leaf Unsweetened Tea',
    'Pure Leaf Lemon Tea',
  ]),
  L('drinks', '23 fl oz can', 715, 129, 0.08, ['AriZona Green Tea', 'AriZona Arnold Palmer']),
  L('drinks', '13.7 fl oz', 640, 379, 0.075, ['Starbucks Frappuccino Mocha', 'Starbucks Frappuccino Vanilla']),
  L('drinks', '28 fl oz', 880, 279, 0.09, ['Gatorade Lemon-Lime', 'Gatorade Cool Blue', 'Gatorade Fruit Punch']),
  L('drinks', '20 fl oz', 630, 249, 0.075, ['Vitaminwater XXX', 'Vitaminwater Power-C', 'BodyArmor Strawberry Banana']),
  L('dairy', '1 qt', 1030, 429, 0.09, ['Horizon Organic Whole Milk', 'Horizon Organic 2% Milk']),
  L('dairy', '11.5 fl oz', 360, 349, 0.07, ['Fairlife 2% Milk', 'Fairlife Chocolate Milk', 'Core Power Chocolate']),
  L('dairy', '5.3 oz cup', 165, 179, 0.075, [
    'Chobani Greek Yogurt Plain',
    'Chobani Greek Yogurt Strawberry',
    'Chobani Greek Yogurt Blueberry',
    'Chobani Greek Yogurt Peach',
    'Oikos Pro Vanilla',
  ]),
  L('dairy', '6 oz cup', 183, 119, 0.075, ['Yoplait Original Strawberry', 'Yoplait Original Harvest Peach']),
  L('dairy', '12 ct', 360, 599, 0.15, ['Sargento String Cheese']),
  L('dairy', '6 ct', 130, 499, 0.1, ['Babybel Original']),
  L('dairy', 'dozen', 690, 449, 0.3, ['Large Grade A Eggs']),
  L('dairy', '10 oz', 300, 449, 0.1, ['Sabra Classic Hummus', 'Sabra Roasted Red Pepper Hummus']),
  L('dairy', '8 oz', 240, 399, 0.1, ['Philadelphia Cream Cheese', 'Tillamook Sharp Cheddar Block']),
  L(
    'fresh',
    'each',
    240,
    699,
    0.12,
    ['Turkey & Swiss Sandwich', 'Ham & Cheddar Sandwich', 'Egg Salad Sandwich', 'Chicken Caesar Wrap', 'Veggie Wrap'],
    { spread: 0.04 },
  ),
  L('fresh', 'each', 320, 899, 0.2, ['Italian Sub', 'Cobb Salad', 'Caesar Salad'], { spread: 0.04 }),
  L('fresh', 'each', 230, 899, 0.15, ['California Roll', 'Spicy Tuna Roll'], { spread: 0.03 }),
  L('fresh', 'cup', 255, 449, 0.1, ['Fruit Cup', 'Red Grapes Cup', 'Overnight Oats'], { spread: 0.05 }),
  L('fresh', '2 ct', 110, 249, 0.08, ['Hard-Boiled Eggs'], { spread: 0.05 }),
  L('fresh', 'each', 120, 59, 0.18, ['Banana'], { spread: 0.12 }),
  L('fresh', 'each', 180, 99, 0.09, ['Gala Apple'], { spread: 0.1 }),
  L('alcohol', '6 x 12 fl oz cans', 2300, 999, 0.2, ['Bud Light', 'Coors Light', 'Modelo Especial', 'Michelob Ultra'], {
    age: true,
  }),
  L('alcohol', '6 x 12 fl oz bottles', 3700, 1199, 0.2, ['Corona Extra', 'Heineken'], { age: true }),
  L('alcohol', '12 fl oz can', 370, 299, 0.07, ['White Claw Black Cherry', 'White Claw Mango', 'Truly Wild Berry'], {
    age: true,
  }),
  L('alcohol', '750 ml', 1250, 899, 0.09, ['Barefoot Chardonnay', 'Barefoot Pinot Noir', 'Josh Cabernet Sauvignon'], {
    age: true,
  }),
  L('snacks', '1 oz bag', 33, 129, 0.15, [
    "Lay's Classic",
    "Lay's Barbecue",
    "Lay's Sour Cream & Onion",
    'Doritos Nacho Cheese',
    'Doritos Cool Ranch',
    'Cheetos Crunchy',
    "Cheetos Flamin' Hot",
    'Ruffles Original',
    'Fritos Original',
    'SunChips Harvest Cheddar',
    'Funyuns Onion Rings',
  ]),
  L('snacks', '2.625 oz bag', 82, 229, 0.18, [
    "Lay's Classic",
    'Doritos Nacho Cheese',
    'Cheetos Crunchy',
    'Ruffles Cheddar & Sour Cream',
    'Takis Fuego',
  ]),
  L('snacks', '8 oz bag', 245, 499, 0.25, ["Lay's Classic", 'Doritos Nacho Cheese', 'Tostitos Scoops']),
  L('snacks', '5.2 oz can', 190, 279, 0.08, ['Pringles Original', 'Pringles Sour Cream & Onion', 'Pringles Cheddar']),
  L('snacks', '2 oz bag', 63, 149, 0.12, [
    'Planters Salted Peanuts',
    'Blue Diamond Smokehouse Almonds',
    'Planters Cashews',
    'Planters Trail Mix',
  ]),
  L('snacks', '2.85 oz', 90, 799, 0.12, ["Jack Link's Beef Jerky Original", "Jack Link's Beef Jerky Teriyaki"]),
  L('snacks', '0.97 oz', 30, 149, 0.04, ['Slim Jim Original']),
  L('snacks', '13 oz pack', 400, 549, 0.2, ['Oreo Cookies', 'Chips Ahoy! Cookies', 'Ritz Crackers']),
  L('snacks', '7 oz box', 212, 449, 0.15, ['Cheez-It Original', 'Goldfish Cheddar', 'Wheat Thins Original']),
  L('snacks', '2.4 oz', 72, 199, 0.06, [
    'Clif Bar Chocolate Chip',
    'Clif Bar Crunchy Peanut Butter',
    'Quest Bar Cookies & Cream',
    'Oreo Snack Pack',
  ]),
  L('snacks', '1.4 oz', 43, 229, 0.05, [
    'KIND Dark Chocolate Nuts & Sea Salt',
    'KIND Caramel Almond',
    'Nature Valley Oats n Honey',
    'RXBAR Chocolate Sea Salt',
  ]),
  L('candy', '1.86 oz', 55, 199, 0.04, [
    'Snickers',
    'Twix',
    'Milky Way',
    '3 Musketeers',
    'Butterfinger',
    'Baby Ruth',
    'PayDay',
  ]),
  L('candy', '1.5 oz', 46, 199, 0.04, [
    "M&M's Milk Chocolate",
    "Reese's Peanut Butter Cups",
    'Kit Kat',
    "Hershey's Milk Chocolate",
    "M&M's Peanut",
  ]),
  L('candy', '2.1 oz', 63, 179, 0.04, [
    'Skittles Original',
    'Starburst Original',
    'Sour Patch Kids',
    'Swedish Fish',
    'Twizzlers Strawberry',
  ]),
  L('candy', 'sharing size', 97, 299, 0.06, ['Snickers Share Size', "Reese's King Size", "M&M's Peanut Sharing Size"]),
  L('candy', '5 oz bag', 150, 249, 0.12, ['Haribo Goldbears', 'Sour Patch Kids Bag']),
  L('candy', '14 ct', 32, 149, 0.03, ['Trident Spearmint Gum', 'Orbit Peppermint Gum', 'Extra Polar Ice Gum']),
  L('candy', 'tin', 60, 299, 0.05, ['Altoids Peppermint', 'Altoids Wintergreen']),
  L('candy', 'pack', 29, 179, 0.03, ['Tic Tac Freshmint', 'Life Savers Wint-O-Green']),
  L('grocery', '2.25 oz cup', 72, 99, 0.09, [
    'Maruchan Instant Lunch Chicken',
    'Maruchan Instant Lunch Beef',
    'Cup Noodles Chicken',
    'Cup Noodles Shrimp',
  ]),
  L('grocery', '10.75 oz can', 350, 199, 0.075, ["Campbell's Chicken Noodle Soup", "Campbell's Tomato Soup"]),
  L('grocery', '19 oz can', 590, 349, 0.09, ['Progresso Chicken Noodle', 'Chef Boyardee Beefaroni']),
  L('grocery', '7.25 oz box', 220, 179, 0.14, ['Kraft Mac & Cheese', "Annie's Shells & White Cheddar"]),
  L('grocery', '2.05 oz cup', 65, 149, 0.08, [
    'Kraft Easy Mac Cup',
    'Quaker Oatmeal Cup Maple',
    'Quaker Oatmeal Cup Original',
  ]),
  L('grocery', '1 lb', 460, 249, 0.1, ['Barilla Spaghetti', 'Barilla Penne']),
  L('grocery', '8.8 oz pouch', 255, 299, 0.12, ["Ben's Original Ready Rice", "Ben's Original Jasmine Rice"]),
  L('grocery', '16 oz jar', 510, 449, 0.09, ['Jif Creamy Peanut Butter', "Smucker's Strawberry Jam", 'Nutella']),
  L('grocery', '20 oz loaf', 570, 399, 0.2, ['Wonder Classic White Bread', "Nature's Own Honey Wheat"], {
    spread: 0.02,
  }),
  L('grocery', 'box', 390, 549, 0.2, ['Cheerios', 'Frosted Flakes', 'Honey Nut Cheerios']),
  L('grocery', '2 ct', 100, 179, 0.1, ['Pop-Tarts Strawberry', 'Pop-Tarts Brown Sugar Cinnamon']),
  L('grocery', '5 oz can', 165, 199, 0.08, ['StarKist Chunk Light Tuna', 'Bumble Bee Solid White Tuna']),
  L('grocery', '12 oz bag', 360, 1099, 0.15, ['Starbucks Pike Place Ground Coffee', "Peet's Major Dickason's Coffee"]),
  L('household', '1 roll', 180, 299, 0.15, ['Bounty Paper Towels']),
  L('household', '4 rolls', 560, 699, 0.25, ['Charmin Ultra Soft', 'Scott 1000 Toilet Paper']),
  L('household', 'box', 230, 249, 0.15, ['Kleenex Tissues']),
  L('household', '4-pack', 102, 899, 0.08, ['Duracell AA Batteries', 'Energizer AA Batteries']),
  L('household', '4-pack', 52, 899, 0.08, ['Duracell AAA Batteries', 'Energizer AAA Batteries']),
  L('household', 'each', 21, 249, 0.03, ['BIC Classic Lighter']),
  L('household', '40 ct', 120, 399, 0.12, ['Ziploc Sandwich Bags', 'Ziploc Storage Bags']),
  L('household', '8 oz', 270, 299, 0.08, ['Dawn Dish Soap', 'Palmolive Dish Soap']),
  L('household', 'each', 60, 1299, 0.1, ['Lightning Charging Cable', 'USB-C Charging Cable']),
  L('household', 'each', 110, 1999, 0.12, ['USB Wall Charger', 'Wired Earbuds']),
  L('household', 'each', 340, 1299, 0.1, ['Compact Umbrella']),
  L('household', '25 sq ft', 230, 399, 0.3, ['Reynolds Aluminum Foil']),
  L('care', '24 ct', 42, 799, 0.06, ['Advil Ibuprofen', 'Tylenol Extra Strength', 'Aleve Naproxen']),
  L('care', '4 oz', 150, 699, 0.06, ['Pepto-Bismol Liquid', 'Tums Extra Strength']),
  L('care', '4.8 oz', 161, 549, 0.06, ['Colgate Total Toothpaste', 'Crest Pro-Health Toothpaste']),
  L('care', 'each', 40, 349, 0.04, ['Oral-B Toothbrush', 'Colgate 360 Toothbrush']),
  L('care', '3 oz', 100, 699, 0.06, ['Dove Men+Care Deodorant', 'Degree Women Deodorant', 'Old Spice Deodorant']),
  L('care', '12 oz', 420, 899, 0.08, ['Head & Shoulders Shampoo', 'Pantene Shampoo']),
  L('care', 'each', 8, 249, 0.03, ['ChapStick Classic', 'Carmex Lip Balm']),
  L('care', '30 ct', 60, 499, 0.08, ['Band-Aid Bandages']),
  L('care', '2 oz', 70, 249, 0.04, ['Purell Hand Sanitizer']),
  L('care', '3 oz', 110, 1099, 0.05, ['Neutrogena Sunscreen SPF 50', 'Banana Boat Sunscreen SPF 30']),
  L('care', 'pack', 60, 1299, 0.08, ['Gillette Disposable Razors', 'Trojan Condoms 3 ct']),
];

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/&/g, 'and')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * Expands the product lines into catalogue items. Each variant's mean is drawn within ±1 % of its line (diet drinks
 * about 3.5 % lighter), so flavours of a line are look-alikes; the unit SD comes from the line's spread.
 */
export function buildCatalogue(rng: Rng): CatalogueItem[] {
  const items: CatalogueItem[] = [];
  const seen = new Set<string>();
  for (const line of LINES) {
    for (const variant of line.variants) {
      const name = line.size === 'each' ? variant : `${variant} ${line.size}`;
      let sku = slug(`${variant}-${line.size}`);
      for (let n = 2; seen.has(sku); n++) sku = `${slug(`${variant}-${line.size}`)}-${n}`;
      seen.add(sku);
      const light = line.light?.includes(variant) ? 0.965 : 1;
      const mean = round1(line.grams * light * rng.uniform(0.99, 1.01));
      const spread = line.spread ?? 0.006;
      items.push({
        sku,
        name,
        price: line.price + (rng.chance(0.3) ? 20 : 0),
        unitWeight: { mean, sd: round1(Math.max(0.3, mean * spread)) },
        ageRestricted: line.age ?? false,
        aisle: line.aisle,
        width: line.width,
      });
    }
  }
  return items;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
